// POST /api/echo with a raw XMLHttpRequest, which the client script
// watches; the CSRF token comes from the page's <meta name="csrf-token">.
function callXhr() {
  var x = new XMLHttpRequest();
  x.open('POST', '/api/echo');
  x.setRequestHeader('Content-Type', 'application/json');
  x.setRequestHeader('X-CSRF-Token', document.querySelector('meta[name=csrf-token]').content);
  x.onload = function () {
    if (x.status === 200) {
      var d = JSON.parse(x.responseText);
      show('xhr: hello ' + d.user + ', echo ' + d.echo + ', call ' + d.call);
    } else {
      show('xhr failed: ' + x.status + ' ' + x.responseText);
    }
  };
  x.send(JSON.stringify({ text: 'ping' }));
}
