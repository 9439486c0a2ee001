// The console's one script, served as /assets/console.js (the CSP allows scripts from the console
// only): a page that lists tasks follows the project's status events (Server-Sent Events) and
// changes each task's status in place; a task page reloads its live parts when its task changes.
export const CLIENT_SCRIPT = `
(function () {
  var root = document.querySelector('[data-events]');
  if (!root || !window.EventSource) return;
  var live = document.querySelector('.live');
  var events = new EventSource(root.getAttribute('data-events'));
  events.addEventListener('open', function () { if (live) live.textContent = 'live'; });
  events.addEventListener('error', function () { if (live) live.textContent = 'reconnecting…'; });
  events.addEventListener('status', function (e) {
    var changes = JSON.parse(e.data);
    for (var i = 0; i < changes.length; i++) {
      var c = changes[i];
      var cells = document.querySelectorAll('[data-task="' + CSS.escape(c.id) + '"]');
      for (var j = 0; j < cells.length; j++) {
        var s = cells[j].querySelector('.status');
        if (s) { s.textContent = c.status; s.className = 'status status-' + c.status; }
        var n = cells[j].querySelector('.iterations');
        if (n) n.textContent = String(c.iterations);
      }
      if (c.from !== c.status) {
        count('[data-wave="all"]', c.from, -1); count('[data-wave="all"]', c.status, 1);
        if (c.wave !== null) { count('[data-wave="' + c.wave + '"]', c.from, -1); count('[data-wave="' + c.wave + '"]', c.status, 1); }
      }
      var watched = root.getAttribute('data-task-id');
      if (watched && watched === c.id) refresh();
    }
  });
  if (root.getAttribute('data-task-id')) setInterval(function () { if (document.querySelector('[data-running]')) refresh(); }, 1000);
  function count(scope, status, by) {
    if (!status) return;
    var box = document.querySelector(scope);
    var n = box && box.querySelector('[data-count="' + status + '"]');
    if (!n) return;
    var v = Math.max(0, Number(n.textContent) + by);
    n.textContent = String(v);
    n.hidden = v === 0;
    var label = box.querySelector('[data-count-label="' + status + '"]');
    if (label) label.hidden = v === 0;
  }
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    fetch(location.pathname + '/live', { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : ''; }).then(function (text) {
      pending = false;
      var part = document.getElementById('live-part');
      if (part && text) { var t = document.createElement('template'); t.innerHTML = text; part.replaceWith(t.content); }
    }, function () { pending = false; });
  }
})();
`;
