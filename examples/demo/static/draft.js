// "Save with fetch()": the form's fields as JSON, with the CSRF token in
// the X-CSRF-Token header.
document.getElementById('save-fetch').onclick = function () {
  var data = {};
  new FormData(document.getElementById('draft')).forEach(function (v, k) { data[k] = v; });
  fetch('/api/draft', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content
    },
    body: JSON.stringify(data)
  })
    .then(jsonOrError)
    .then(function (d) { show('fetch saved: ' + d.saved); })
    .catch(function (e) { show('fetch failed: ' + e.message); });
};
// The client script says how many fields it put back after the login.
document.addEventListener('require-login:restored', function (e) {
  document.getElementById('restored').textContent = e.detail.fields.length + ' fields restored';
});
