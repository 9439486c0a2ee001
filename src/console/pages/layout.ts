import { html, type Html } from '../html.js';
import type { Session } from '../sessions.js';

/** Every page: the same frame, the one stylesheet and the one script (no inline script or style: the CSP forbids them). */
export function layout(title: string, session: Session | undefined, body: Html, opts: { project?: string } = {}): string {
  const p = opts.project;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · autonomous-loop</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="/">autonomous-loop</a>
  ${p ? html`<nav><a href="/projects/${encodeURIComponent(p)}">queue</a> <a href="/projects/${encodeURIComponent(p)}/gates">gates</a> <a href="/projects/${encodeURIComponent(p)}/environments">environments</a> <a href="/projects/${encodeURIComponent(p)}/decisions">decisions</a></nav>` : html`<nav><a href="/decisions">decisions</a></nav>`}
  ${session ? html`<form class="logout" method="post" action="/logout"><input type="hidden" name="_csrf" value="${session.csrf}"><span class="who">${session.person}</span> <button type="submit">log out</button></form>` : ''}
</header>
<main>
${body}
</main>
</body>
</html>
`.text;
}

export const STYLESHEET = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #1f2937; color: #fff; }
header a { color: #dbeafe; text-decoration: none; margin-right: .8rem; }
header .brand { font-weight: 700; color: #fff; }
header .logout { margin-left: auto; }
main { padding: 1rem 1.5rem; max-width: 1200px; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; font-size: .9rem; }
.wave { margin: 1rem 0; } .wave h2 { margin: .2rem 0; }
.status { font-weight: 600; padding: 0 .4rem; border-radius: 4px; white-space: nowrap; }
.status-complete { background: #dcfce7; color: #166534; } .status-in_progress { background: #dbeafe; color: #1e40af; }
.status-awaiting_approval { background: #fef3c7; color: #92400e; } .status-failed, .status-blocked { background: #fee2e2; color: #991b1b; }
.status-pending, .status-skipped { background: #f3f4f6; color: #374151; }
pre { background: #111827; color: #e5e7eb; padding: .8rem; overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: .85rem; }
pre.box { background: #fff; color: #111; border: 2px solid #92400e; }
.decide form { margin: .6rem 0; padding: .6rem; background: #fff; border: 1px solid #e5e7eb; }
.decide textarea, .decide input[type=text] { width: 100%; box-sizing: border-box; }
.notice { padding: .6rem; background: #fef3c7; border: 1px solid #f59e0b; } .error { padding: .6rem; background: #fee2e2; border: 1px solid #ef4444; }
.ok { padding: .6rem; background: #dcfce7; border: 1px solid #22c55e; }
.live { font-size: .8rem; color: #6b7280; }
button { cursor: pointer; }
`;
