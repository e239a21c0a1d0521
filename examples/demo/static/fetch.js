// GET /api/time with fetch(), which the client script watches.
function callFetch() {
  fetch('/api/time', { headers: { 'Accept': 'application/json' } })
    .then(jsonOrError)
    .then(function (d) { show('fetch: hello ' + d.user + ', call ' + d.call); })
    .catch(function (e) { show('fetch failed: ' + e.message); });
}
