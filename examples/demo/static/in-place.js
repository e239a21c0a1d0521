// The calls of the "log in again in place" page; each shows its answer in
// #result, and keeps it on `window.answers` and in sessionStorage (which
// outlives a visit to the login page) for the tests.
window.answers = [];
function keep(line) {
  window.answers.push(line);
  try { sessionStorage.setItem('answers', JSON.stringify(window.answers)); } catch (e) {}
}
function token() { return document.querySelector('meta[name=csrf-token]').content; }
function answered(kind, text) { keep(kind + ': ' + text); show(kind + ': ' + text); }
function failed(kind, e) { answered(kind, 'failed: ' + (e && (e.name + ' ' + e.message) || e)); }
document.getElementById('in-place-get').onclick = function () {
  fetch('/api/time', { headers: { 'Accept': 'application/json' } })
    .then(jsonOrError)
    .then(function (d) { answered('get', 'hello ' + d.user + ', call ' + d.call); }, function (e) { failed('get', e); });
};
document.getElementById('in-place-post').onclick = function () {
  fetch('/api/echo', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token() },
    body: JSON.stringify({ text: 'posted' })
  })
    .then(jsonOrError)
    .then(function (d) { answered('post', 'hello ' + d.user + ', echo ' + d.echo + ', call ' + d.call); }, function (e) { failed('post', e); });
};
document.getElementById('in-place-xhr').onclick = function () {
  var x = new XMLHttpRequest();
  x.open('POST', '/api/echo');
  x.setRequestHeader('Content-Type', 'application/json');
  x.setRequestHeader('X-CSRF-Token', token());
  x.onload = function () {
    if (x.status === 200) { answered('xhr', 'echo ' + JSON.parse(x.responseText).echo); } else { failed('xhr', x.status); }
  };
  x.send(JSON.stringify({ text: 'by xhr' }));
};
document.getElementById('in-place-jquery').onclick = function () {
  if (!window.jQuery) { return failed('jquery', 'jQuery is not installed'); }
  jQuery.ajax({
    url: '/api/echo', method: 'POST', contentType: 'application/json', dataType: 'json',
    headers: { 'X-CSRF-Token': token() }, data: JSON.stringify({ text: 'by jquery' }),
    success: function (d) { answered('jquery', 'echo ' + d.echo); },
    error: function (x) { failed('jquery', x.status); }
  });
};
document.body.addEventListener('htmx:afterSwap', function () {
  keep('htmx: ' + document.getElementById('result').textContent);
});
