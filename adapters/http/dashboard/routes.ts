/**
 * The leaders' page: GET/POST /login, POST /logout, /dashboard (three rates
 * rankings for streets, units and districts, hotspots, 每月一题 candidates,
 * petitions by state), /dashboard/export/<table>.csv, /dashboard/charts/<name>.png,
 * and Bull Board under /admin/queues — all behind one login.
 *
 * Without DASHBOARD_PASSWORD (or SESSION_SECRET) every one of these paths
 * answers 503 with a page saying how to enable it, rather than being open.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { createBullBoard as CreateBullBoard } from '@bull-board/api';
import type { Queue } from 'bullmq';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { PrismaClient } from '../../../core/db.js';
import type { Logger } from '../../../core/log.js';
import { toCsv, type CsvColumn } from '../../../core/insight/csv.js';
import { hotspotTablePng, rankingChartPng, rateTrendPng, trendPoints } from '../../../core/insight/charts.js';
import { trend, type Level, type RankedRow, type Weights } from '../../../core/insight/assessment.js';
import { monthOverMonth } from '../../../core/insight/hotspots.js';
import { DateTime } from 'luxon';
import { periodOf, shiftPeriod, type PeriodOptions } from '../../../core/insight/period.js';
import { formatRatio, type Ratio } from '../../../core/insight/ratio.js';
import { checkCredentials, createSessionCodec, SESSION_COOKIE, SESSION_TTL_MS } from './auth.js';
import { createDashboardData, growthText, hotspotColumns, loadAlerts, rankingColumns, stateColumns, stewardColumns, topicColumns, ALERT_KIND_ZH, STATUS_ZH, type AlertsView, type DashboardData } from './data.js';
import { esc, html, page, Html } from './html.js';

export const BULL_BOARD_PATH = '/admin/queues';

export interface DashboardOptions extends PeriodOptions {
  db: PrismaClient;
  queues: Queue[];
  user: string;
  /** DASHBOARD_PASSWORD; absent = dashboard disabled */
  password?: string;
  /** SESSION_SECRET (≥ 32 chars); absent = dashboard disabled */
  sessionSecret?: string;
  logger: Logger;
  /** mark the cookie Secure (behind HTTPS); default false so plain-HTTP intranets work */
  secureCookie?: boolean;
  /** failed logins allowed per client IP per 15 minutes before 429; default 10 */
  maxFailedLogins?: number;
  /** how long computed figures are reused; default 60 s */
  cacheMs?: number;
  now?: () => Date;
  /** ASSESS_WEIGHTS; default Beijing's */
  weights?: Partial<Weights>;
}

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export async function dashboardRoutes(fastify: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const { logger } = opts;
  if (!opts.password || !opts.sessionSecret) {
    const missing = [!opts.password && 'DASHBOARD_PASSWORD', !opts.sessionSecret && 'SESSION_SECRET (at least 32 characters)'].filter(Boolean).join(' and ');
    const disabled = (_req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(page('看板未启用', html`<section><h2>看板未启用 / Dashboard disabled</h2><p>请在配置中设置 ${missing} 后重启服务。</p><p>Set ${missing} in the environment and restart to enable the dashboard and the queue view.</p></section>`));
    for (const path of ['/login', '/dashboard', '/dashboard/*', BULL_BOARD_PATH, `${BULL_BOARD_PATH}/*`]) fastify.get(path, disabled);
    logger.warn({ missing }, 'dashboard disabled');
    return;
  }

  const credentials = { user: opts.user, password: opts.password };
  const sessions = createSessionCodec(opts.sessionSecret);
  const data = createDashboardData(opts.db, { startDay: opts.startDay, timeZone: opts.timeZone, cacheMs: opts.cacheMs, weights: opts.weights });
  const now = opts.now ?? (() => new Date());
  if (!fastify.hasRequestDecorator('cookies')) await fastify.register(fastifyCookie);
  if (!fastify.hasContentTypeParser('application/x-www-form-urlencoded')) await fastify.register(formbody);

  const sessionUser = (req: FastifyRequest) => sessions.verify(req.cookies[SESSION_COOKIE], now());

  /** Pages redirect to the login form; API and asset requests get 401. */
  const requireSession = async (req: FastifyRequest, reply: FastifyReply) => {
    if (sessionUser(req)) return;
    const wantsHtml = req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
    if (wantsHtml) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 302);
    return reply.code(401).type('text/plain; charset=utf-8').send('login required');
  };

  const loginForm = (error?: string, next = '/dashboard') =>
    page(
      '登录',
      html`<form class="login" method="post" action="/login">
<h2>看板登录</h2>${error ? html`<p class="error">${error}</p>` : ''}
<label>用户名<input name="user" autocomplete="username" required></label>
<label>密码<input name="password" type="password" autocomplete="current-password" required></label>
<input type="hidden" name="next" value="${next}">
<button type="submit">登录</button></form>`,
    );

  const safeNext = (n: unknown) => (typeof n === 'string' && /^\/(?!\/)/.test(n) ? n : '/dashboard');

  fastify.get('/login', async (req, reply) => {
    if (sessionUser(req)) return reply.redirect('/dashboard', 302);
    return reply.type('text/html; charset=utf-8').send(loginForm(undefined, safeNext((req.query as { next?: string }).next)));
  });

  // Per-process memory is enough here: one operator account, and a restart only resets the count.
  const failures = new RateLimiterMemory({ points: opts.maxFailedLogins ?? 10, duration: 15 * 60 });

  fastify.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as { user?: string; password?: string; next?: string };
    const blocked = await failures.get(req.ip);
    if (blocked && blocked.remainingPoints <= 0) {
      reply.header('retry-after', Math.ceil(blocked.msBeforeNext / 1000));
      return reply.code(429).type('text/html; charset=utf-8').send(loginForm('尝试次数过多，请稍后再试', safeNext(body.next)));
    }
    if (!checkCredentials(body, credentials)) {
      await failures.consume(req.ip).catch((e: unknown) => {
        if (!(e instanceof RateLimiterRes)) throw e;
      });
      logger.warn({ ip: req.ip }, 'dashboard: failed login');
      return reply.code(401).type('text/html; charset=utf-8').send(loginForm('用户名或密码错误', safeNext(body.next)));
    }
    reply.setCookie(SESSION_COOKIE, sessions.issue(opts.user, now()), {
      path: '/', httpOnly: true, sameSite: 'lax', secure: opts.secureCookie ?? false, maxAge: SESSION_TTL_MS / 1000,
    });
    logger.info({ ip: req.ip }, 'dashboard: login');
    return reply.redirect(safeNext(body.next), 303);
  });

  const logout = async (_req: FastifyRequest, reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  };
  fastify.post('/logout', logout);
  fastify.get('/logout', logout);

  const periodParam = (req: FastifyRequest) => {
    const p = (req.query as { period?: string }).period;
    return p && PERIOD.test(p) ? p : periodOf(now(), opts).key;
  };

  // ---- the page, exports and charts (one encapsulated context with the session hook)
  await fastify.register(async (app) => {
    app.addHook('onRequest', requireSession);

    app.get('/dashboard', async (req, reply) => {
      const [d, alerts] = await Promise.all([data.get(periodParam(req)), loadAlerts(opts.db)]);
      return reply.type('text/html; charset=utf-8').send(renderDashboard(d, sessionUser(req) ?? '', opts.timeZone, alerts));
    });

    const tables: Record<string, (d: DashboardData) => { rows: unknown[]; columns: CsvColumn<never>[] }> = {
      streets: (d) => ({ rows: d.streets.rows, columns: rankingColumns('street') as CsvColumn<never>[] }),
      units: (d) => ({ rows: d.units.rows, columns: rankingColumns('unit') as CsvColumn<never>[] }),
      districts: (d) => ({ rows: d.districts.rows, columns: rankingColumns('district') as CsvColumn<never>[] }),
      hotspots: (d) => ({ rows: d.hotspots, columns: hotspotColumns as CsvColumn<never>[] }),
      topics: (d) => ({ rows: d.topics, columns: topicColumns as CsvColumn<never>[] }),
      states: (d) => ({ rows: d.states, columns: stateColumns as CsvColumn<never>[] }),
      stewards: (d) => ({ rows: d.stewards.rows, columns: stewardColumns as CsvColumn<never>[] }),
    };
    app.get('/dashboard/export/:file', async (req, reply) => {
      const m = /^([a-z]+)\.csv$/.exec((req.params as { file: string }).file);
      const table = m && Object.hasOwn(tables, m[1]!) ? tables[m[1]!]! : null;
      if (!table) return reply.code(404).send('unknown table');
      const period = periodParam(req);
      const t = table(await data.get(period));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${m![1]}-${period}.csv"`)
        .send(toCsv(t.rows as never[], t.columns));
    });

    app.get('/dashboard/charts/:file', async (req, reply) => {
      const name = /^([a-z-]+)\.png$/.exec((req.params as { file: string }).file)?.[1];
      const period = periodParam(req);
      let png: Buffer;
      if (name === 'streets' || name === 'districts') {
        const d = await data.get(period);
        png = await rankingChartPng(d[name], { top: 20 });
      } else if (name === 'units') {
        // one type at a time: ranks are within a type (default: the type with most ranked units)
        const d = await data.get(period);
        const groups = groupsOf(d.units.rows.filter((r) => r.rank !== null));
        const type = (req.query as { type?: string }).type ?? groups[0]?.typeCode ?? '';
        const rows = d.units.rows.filter((r) => r.typeCode === type);
        png = await rankingChartPng({ ...d.units, rows }, { top: 20, title: `${d.period} ${d.typeNames[type] ?? type} 综合成绩排名（类内）` });
      } else if (name === 'hotspots') {
        png = hotspotTablePng((await data.get(period)).hotspots.slice(0, 15));
      } else if (name === 'trend') {
        const q = req.query as { level?: string; code?: string };
        const level = (['unit', 'street', 'district'].includes(q.level ?? '') ? q.level : 'district') as Level;
        if (!q.code) return reply.code(400).send('code is required');
        const rows = await trend(opts.db, { level, code: q.code, period, count: 6, startDay: opts.startDay, timeZone: opts.timeZone, weights: opts.weights });
        const label = rows.find((r) => r.row)?.row?.name ?? q.code;
        png = await rateTrendPng(trendPoints(rows), { title: `${label} 三率趋势` });
      } else return reply.code(404).send('unknown chart');
      return reply.type('image/png').header('cache-control', 'private, max-age=60').send(png);
    });

    // Bull Board, same login. Loaded here, not at import: a process with the dashboard disabled never needs it.
    const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
      import('@bull-board/api'),
      import('@bull-board/api/bullMQAdapter'),
      import('@bull-board/fastify'),
    ]);
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(BULL_BOARD_PATH);
    // @bull-board/fastify 9.10.1 pins its own @bull-board/api copy; the classes differ only in
    // private fields, so the types disagree while the runtime contract (IServerAdapter) matches.
    createBullBoard({
      queues: opts.queues.map((q) => new BullMQAdapter(q)),
      serverAdapter: serverAdapter as unknown as Parameters<typeof CreateBullBoard>[0]['serverAdapter'],
    });
    await app.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}

// ---------------------------------------------------------------- rendering

const pct = (r: Ratio | null) => formatRatio(r, 'percent', 2);

function delta(n: number | null): Html {
  if (n === null || n === 0) return html`<span class="muted">–</span>`;
  return n > 0 ? html`<span class="up">↑${n}</span>` : html`<span class="down">↓${-n}</span>`;
}

/**
 * Units are ranked within their type (a street office against street offices): one group per
 * type, each sorted by its ranks, largest groups first. Streets and districts are one group.
 */
function groupsOf(rows: RankedRow[]): { typeCode: string | null; rows: RankedRow[] }[] {
  if (!rows.some((r) => r.level === 'unit')) return [{ typeCode: null, rows }];
  const groups = new Map<string, RankedRow[]>();
  for (const r of rows) groups.set(r.typeCode ?? '', [...(groups.get(r.typeCode ?? '') ?? []), r]);
  return [...groups]
    .map(([typeCode, list]) => ({ typeCode, rows: list.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity)) }))
    .sort((a, b) => b.rows.length - a.rows.length || a.typeCode.localeCompare(b.typeCode));
}

function rankingTable(d: DashboardData, level: Level, title: string): Html {
  const r = level === 'street' ? d.streets : level === 'unit' ? d.units : d.districts;
  const ranked = r.rows.filter((x) => x.rank !== null);
  const silent = r.rows.filter((x) => x.rank === null);
  const trendLink = (code: string, name: string) =>
    level === 'unit' ? name : html`<a href="/dashboard/charts/trend.png?level=${level}&code=${encodeURIComponent(code)}&period=${d.period}">${name}</a>`;
  return html`<section id="${level}"><h2>${title}（${r.period.key}，共 ${r.rows.length} 个，${ranked.length} 个有有效回访）</h2>
<p class="links"><a href="/dashboard/export/${level === 'unit' ? 'units' : level === 'street' ? 'streets' : 'districts'}.csv?period=${d.period}">导出 CSV</a>
${level === 'unit' ? '' : html`<a href="/dashboard/charts/${level === 'street' ? 'streets' : 'districts'}.png?period=${d.period}">排名图</a>`}</p>
<table class="ranking" data-level="${level}"><thead><tr><th class="n">排名</th><th>变化</th><th>名称</th><th class="n">有效回访</th><th class="n">响应率</th><th class="n">解决率</th><th class="n">满意率</th><th class="n">综合成绩</th><th class="n">按时办结率</th><th class="n">重办率</th><th class="n">吹哨报到准时率</th></tr></thead>
${groupsOf(ranked).map(
  (g) => html`<tbody data-type="${g.typeCode ?? ''}">${
    g.typeCode !== null
      ? html`<tr class="group"><th colspan="11">${d.typeNames[g.typeCode] ?? g.typeCode}（${g.rows.length} 个单位，类内排名）<a href="/dashboard/charts/units.png?period=${d.period}&type=${encodeURIComponent(g.typeCode)}">排名图</a></th></tr>`
      : ''
  }${g.rows.map(
    (x) => html`<tr data-code="${x.code}"><td class="n">${x.rank}</td><td>${delta(x.rankDelta)}</td><td>${trendLink(x.code, x.name)}</td><td class="n">${x.valid}</td><td class="n">${pct(x.response)}</td><td class="n">${pct(x.resolution)}</td><td class="n">${pct(x.satisfaction)}</td><td class="n"><b>${pct(x.composite)}</b></td><td class="n">${pct(x.onTimeRate)}</td><td class="n">${pct(x.reopenRate)}</td><td class="n">${pct(x.whistlePunctuality)}</td></tr>`,
  )}</tbody>`,
)}</table>
${silent.length ? html`<details><summary>本期无有效回访：${silent.length} 个</summary><p class="muted">${silent.map((x) => x.name).join('、')}</p></details>` : ''}
</section>`;
}

function alertsSection(v: AlertsView, timeZone: string): Html {
  const at = (x: Date) => DateTime.fromJSDate(x, { zone: timeZone }).toFormat('MM-dd HH:mm');
  return html`<section id="alerts"><h2>未送达与无人接收（${v.alerts.length} 条）</h2>
${v.alerts.length ? html`<table><thead><tr><th>时间</th><th>类型</th><th>诉求</th><th>区域</th><th>说明</th><th>已通知</th></tr></thead><tbody>${v.alerts.map(
    (a) => html`<tr data-kind="${a.kind}"><td>${at(a.createdAt)}</td><td>${ALERT_KIND_ZH[a.kind] ?? a.kind}</td><td>${a.number ?? '–'}</td><td>${a.areaCode ?? '管理员'}</td><td style="white-space:normal">${a.detail}</td><td>${a.notifiedAt ? at(a.notifiedAt) : '待发送'}</td></tr>`,
  )}</tbody></table>` : html`<p class="muted">没有未送达的消息。</p>`}
</section>
<section id="unbound"><h2>未绑定单位（有待办工单，没有群也没有登记人员）</h2>
${v.unbound.length ? html`<table><thead><tr><th>单位</th><th>代码</th><th class="n">待办</th><th>工单</th></tr></thead><tbody>${v.unbound.map(
    (u) => html`<tr data-unit="${u.unitId}"><td>${u.name}</td><td>${u.unitId}</td><td class="n">${u.open}</td><td>${u.numbers.join(' ')}</td></tr>`,
  )}</tbody></table>` : html`<p class="muted">所有有待办工单的单位都能收到派单。</p>`}
</section>`;
}

export function renderDashboard(d: DashboardData, user: string, timeZone = 'Asia/Shanghai', alerts?: AlertsView): string {
  const total = d.states.reduce((s, x) => s + x.count, 0);
  const w = d.streets.weights;
  const { start, end } = d.streets.period;
  const day = (x: Date) => DateTime.fromJSDate(x, { zone: timeZone }).toFormat('yyyy-MM-dd');
  const body = html`
<section id="period"><b>考核周期 ${d.period}</b>：${day(start)} 至 ${day(new Date(end.getTime() - 1))}（含首尾）
<span class="links"> · <a href="/dashboard?period=${shiftPeriod(d.period, 1)}">上一期</a><a href="/dashboard?period=${shiftPeriod(d.period, -1)}">下一期</a></span></section>
<section id="weights" class="muted">综合成绩 = ${w.response} × 响应率 + ${w.resolution} × 解决率 + ${w.satisfaction} × 满意率；满意率中“基本满意”按 ${w.basically} 计，解决率中“部分解决”按 ${w.partly} 计（ASSESS_WEIGHTS）</section>
<section id="states"><h2>工单状态（本期受理 ${total} 件，按现状态）</h2><div class="states">${d.states
    .filter((s) => s.count > 0)
    .map((s) => html`<span data-status="${s.status}">${STATUS_ZH[s.status] ?? s.status}：<b>${s.count}</b></span>`)}</div>
<p class="links"><a href="/dashboard/export/states.csv?period=${d.period}">导出 CSV</a></p></section>
${alerts ? alertsSection(alerts, timeZone) : ''}
${rankingTable(d, 'street', '街乡镇三率排名')}
${rankingTable(d, 'unit', '承办单位三率排名')}
${rankingTable(d, 'district', '各区三率排名')}
<section id="hotspots"><h2>热点诉求（未诉先办）</h2>
<p class="links"><a href="/dashboard/export/hotspots.csv?period=${d.period}">导出 CSV</a><a href="/dashboard/charts/hotspots.png?period=${d.period}">热点表图</a></p>
${d.hotspots.length ? html`<table><thead><tr><th>街乡</th><th>类别</th><th class="n">本期</th><th class="n">环比（较上期）</th><th class="n">较前3期均值</th><th class="n">去年同期</th><th class="n">重复率</th><th>说明</th></tr></thead><tbody>${d.hotspots.map(
    (h) => html`<tr><td>${h.streetName}</td><td>${h.categoryName}</td><td class="n">${h.volume}</td><td class="n">${growthText(monthOverMonth(h))}</td><td class="n">${growthText(h.growth)}</td><td class="n">${h.lastYear.volume}</td><td class="n">${pct(h.repeatRate)}</td><td style="white-space:normal">${h.explanation}</td></tr>`,
  )}</tbody></table>` : html`<p class="muted">本期暂无热点。</p>`}
</section>
<section id="stewards"><h2>小巷管家上报</h2>
<p>本期上报 <b>${d.stewards.total.reports}</b> 件，办结 <b>${d.stewards.total.resolved}</b> 件，回访解决 <b>${d.stewards.total.solved}</b> 件，平均办结用时 <b>${d.stewards.total.avgHours === null ? '-' : `${d.stewards.total.avgHours.toFixed(1)} 小时`}</b>。</p>
<p class="links"><a href="/dashboard/export/stewards.csv?period=${d.period}">导出 CSV</a></p>
${d.stewards.rows.length ? html`<table><thead><tr><th>小巷管家</th><th>街乡</th><th class="n">上报</th><th class="n">办结</th><th class="n">回访解决</th><th class="n">平均用时(小时)</th></tr></thead><tbody>${d.stewards.rows.map(
    (r) => html`<tr><td>${r.name ?? '-'}</td><td>${r.areaCode ?? ''}</td><td class="n">${r.reports}</td><td class="n">${r.resolved}</td><td class="n">${r.solved}</td><td class="n">${r.avgHours === null ? '-' : r.avgHours.toFixed(1)}</td></tr>`,
  )}</tbody></table>` : html`<p class="muted">本期暂无小巷管家上报。</p>`}
</section>
<section id="topics"><h2>每月一题候选</h2>
<p class="links"><a href="/dashboard/export/topics.csv?period=${d.period}">导出 CSV</a></p>
${d.topics.length ? html`<ol>${d.topics.map((t) => html`<li><b>${t.categoryName}</b>（${t.volume} 件，牵头：${t.leadDepartmentType.nameZh}）<br><span class="muted">${t.explanation}</span></li>`)}</ol>` : html`<p class="muted">本期数据不足。</p>`}
</section>`;
  return page(`接诉即办看板 ${d.period}`, body, { user });
}

export { esc };
