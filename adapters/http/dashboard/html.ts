/** Small server-side HTML helpers: everything interpolated goes through `esc`. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Raw HTML marker, so composed fragments are not escaped twice. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const part = Array.isArray(v) ? v.map((x) => (x instanceof Html ? x.value : esc(x))).join('') : v instanceof Html ? v.value : esc(v);
    out += part + strings[i + 1]!;
  });
  return new Html(out);
}

const CSS = `
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f6f9;color:#1d2733}
header{background:#1f4e79;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff}
main{padding:16px 24px;max-width:1280px}
section{background:#fff;border-radius:6px;padding:12px 16px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0}h2{font-size:17px;margin:4px 0 10px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e7ee;padding:4px 6px;text-align:left;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafbfc}
.up{color:#1a7f37}.down{color:#c62828}.muted{color:#6b7785}
.links a{margin-right:12px}
form.login{max-width:320px;margin:80px auto;background:#fff;padding:24px;border-radius:6px}
form.login input{display:block;width:100%;margin:6px 0 14px;padding:8px;box-sizing:border-box}
.error{color:#c62828}
.states span{display:inline-block;margin:0 16px 6px 0}
`;

export function page(title: string, body: Html, opts: { user?: string } = {}): string {
  return html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${new Html(CSS)}</style></head><body>
<header><h1>哨声 · ${title}</h1>${opts.user ? html`<span>${opts.user} · <a href="/admin/queues">队列</a> · <form method="post" action="/logout" style="display:inline"><button type="submit">退出</button></form></span>` : ''}</header>
<main>${body}</main></body></html>`.value;
}
