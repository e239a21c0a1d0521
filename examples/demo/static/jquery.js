// $.ajax, which uses XMLHttpRequest.
$(function () {
  $('#call').on('click', function () {
    $.ajax({ url: '/api/time', dataType: 'json' })
      .done(function (d) { $('#result').text('jquery: hello ' + d.user + ', call ' + d.call); })
      .fail(function (x) { $('#result').text('jquery failed: ' + x.status + ' ' + x.responseText); });
  });
});
