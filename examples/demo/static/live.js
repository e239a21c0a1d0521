// The clock: an event a second over SSE.
var clock = new EventSource('/live/clock');
clock.onmessage = function (event) { document.getElementById('clock').textContent = event.data; };
// The echo: what is sent comes back over a WebSocket.
var socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live/echo');
var state = document.getElementById('echo-state');
socket.onopen = function () { state.textContent = 'connected'; };
socket.onclose = function (event) { state.textContent = 'closed (' + event.code + ')'; };
socket.onmessage = function (event) {
  var item = document.createElement('li');
  item.textContent = event.data;
  document.getElementById('echoes').appendChild(item);
};
document.getElementById('echo-form').onsubmit = function (event) {
  event.preventDefault();
  var input = document.getElementById('echo-text');
  socket.send(input.value);
  input.value = '';
};
