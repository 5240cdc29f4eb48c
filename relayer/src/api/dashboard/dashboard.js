// The live dashboard: renders each snapshot of GET /v1/events (server-sent events). Plain
// browser JavaScript, Chart.js from /vendor/chart.js; the account followed is ?account=<owner>.
const params = new URLSearchParams(location.search);
const owner = params.get('account');
const $ = (id) => document.getElementById(id);
const usd = (s) => {
  if (s === null || s === undefined) return '-';
  const n = Number(s);
  return `${n < 0 ? '-' : ''}$${Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
};
const healthText = (h) => (h === null ? 'unknown' : h === 'Infinity' ? '∞' : Number(h).toFixed(4));
const units = (amount, decimals) =>
  (Number(amount) / 10 ** decimals).toLocaleString('en-US', { maximumFractionDigits: 6 });

function rows(tbody, list, cells, onClick) {
  tbody.replaceChildren(
    ...list.map((item) => {
      const tr = document.createElement('tr');
      for (const c of cells(item)) {
        const td = document.createElement('td');
        if (typeof c === 'object') {
          td.textContent = c.text;
          if (c.className) td.className = c.className;
        } else td.textContent = c;
        tr.append(td);
      }
      if (onClick) {
        tr.className = 'clickable';
        tr.addEventListener('click', () => onClick(item));
      }
      return tr;
    }),
  );
}

const healthChart = new Chart($('health-chart'), {
  type: 'line',
  data: {
    labels: [],
    datasets: [
      { label: 'health', data: [], borderColor: '#3056d3', tension: 0.2 },
      { label: 'liquidation (1.0)', data: [], borderColor: '#b42318', borderDash: [4, 4], pointRadius: 0 },
    ],
  },
  options: { animation: false, scales: { y: { beginAtZero: true } } },
});
const priceHealthChart = new Chart($('price-health-chart'), {
  type: 'scatter',
  data: { datasets: [{ label: 'health at the ETH price seen', data: [], backgroundColor: '#3056d3' }] },
  options: {
    animation: false,
    scales: {
      x: { title: { display: true, text: 'price (USD)' } },
      y: { title: { display: true, text: 'health' }, beginAtZero: true },
    },
  },
});
const histogram = new Chart($('histogram'), {
  type: 'bar',
  data: {
    labels: [],
    datasets: [{ label: 'accounts by health (below the bound)', data: [], backgroundColor: '#7a93e6' }],
  },
  options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
});

function render(s) {
  $('status').textContent =
    `hub block ${s.block} · ${s.book.accounts} accounts · updated ${new Date(s.at).toLocaleTimeString()}`;
  rows($('chains').tBodies[0], s.chains, (c) => [
    c.name,
    String(c.eid),
    String(c.head ?? '-'),
    String(c.checkpoint ?? '-'),
    String(c.lag ?? '-'),
  ]);
  $('prices').replaceChildren(
    ...s.prices.map((p) =>
      Object.assign(document.createElement('li'), { textContent: `risk asset ${p.riskAsset}: ${usd(p.priceUsd)}` }),
    ),
  );
  rows(
    $('nearest').tBodies[0],
    s.nearest,
    (a) => [
      a.owner,
      String(a.subAccount),
      { text: healthText(a.health), className: a.health !== null && Number(a.health) < 1.1 ? 'low' : '' },
    ],
    (a) => {
      location.search = `?account=${a.owner}`;
    },
  );
  histogram.data.labels = s.histogram.map((b) =>
    b.upTo === 'more' || b.upTo === 'no requirement' ? b.upTo : `< ${b.upTo}`,
  );
  histogram.data.datasets[0].data = s.histogram.map((b) => b.accounts);
  histogram.update();
  $('inflight-count').textContent = String(s.messages.inFlight);
  rows($('messages').tBodies[0], s.messages.latest, (m) => [
    m.type,
    String(m.srcEid),
    String(m.dstEid),
    m.amount,
    m.stuck ? `${m.status} (stuck: ${m.stuck})` : m.status,
  ]);
  rows($('liquidations').tBodies[0], s.liquidations, (l) => [
    `${l.account.slice(0, 18)}…`,
    l.kind,
    l.status,
    l.chain ?? '-',
    l.latencyBlocks === null ? '-' : `${l.latencyBlocks} blocks`,
  ]);
  if (s.account) renderAccount(s.account, s);
}

function renderAccount(a, s) {
  $('account-owner').textContent = `${a.owner} (${a.margin})`;
  const health = $('account-health');
  health.textContent = healthText(a.health);
  health.dataset.health = a.health ?? '';
  health.className = a.liquidatable ? 'low' : '';
  $('account-flag').textContent = a.liquidatable ? 'LIQUIDATABLE' : '';
  $('account-figures').textContent =
    `equity ${usd(a.equityUsd?.maintenance)} / requirement ${usd(a.requirementUsd?.maintenance)} (maintenance), cash ${usd(a.cashUsd)}`;
  rows($('collateral').tBodies[0], a.collateral, (c) => [
    c.chain,
    String(c.assetId),
    units(c.amount, c.decimals),
    usd(c.priceUsd),
    usd(c.valueUsd),
  ]);
  rows($('positions').tBodies[0], a.positions, (p) => [
    String(p.marketId),
    p.kind,
    p.size,
    usd(p.markUsd),
    usd(p.valueUsd),
  ]);
  $('liquidation-prices').replaceChildren(
    ...a.liquidationPrices.map((l) =>
      Object.assign(document.createElement('li'), {
        textContent: `risk asset ${l.riskAsset} at ${usd(l.priceUsd)}: liquidated ${l.liquidationPriceUsd === null ? 'within no 100x move' : `at ${usd(l.liquidationPriceUsd)}`}`,
      }),
    ),
  );
  if (a.health === null || a.health === 'Infinity') return;
  healthChart.data.labels.push(String(s.block));
  healthChart.data.datasets[0].data.push(Number(a.health));
  healthChart.data.datasets[1].data.push(1);
  healthChart.update();
  const price = a.liquidationPrices[0]?.priceUsd;
  if (price) {
    priceHealthChart.data.datasets[0].data.push({ x: Number(price), y: Number(a.health) });
    priceHealthChart.update();
  }
}

// The hub's default waterfall, read every 5 s: it moves only when an account goes bankrupt.
async function renderWaterfall() {
  const res = await fetch('/v1/waterfall');
  const w = await res.json();
  const backstop = w.backstop
    ? `backstop vault ${usd(w.backstop.totalAssetsUsd)} (share ${usd(w.backstop.sharePriceUsd)}); `
    : '';
  $('waterfall').textContent = res.ok
    ? `${backstop}insurance fund ${usd(w.insuranceFundUsd)}; loss socialised on positive cash ${usd(w.socialisedLossUsd)} ` +
      `(cash index ${Number(w.cashIndex).toFixed(6)}); unowned ${usd(w.unownedLossUsd)}; at hub block ${w.block}`
    : w.error;
}

// The latest stress run (npm run stress), read once: it changes only when the simulator runs again.
const REGIME_COLORS = { 'Gen 1': '#9e9e9e', 'Gen 2': '#4e79a7', 'Gen 3': '#f28e2b' };
async function renderStress() {
  const res = await fetch('/v1/stress');
  const body = await res.json();
  if (!res.ok) {
    $('stress-status').textContent = body.error;
    return;
  }
  $('stress-status').textContent =
    `${body.accounts.toLocaleString('en-US')} accounts, run ${new Date(body.writtenAt).toLocaleString()}`;
  const scenarios = [...new Set(body.results.map((r) => r.scenario))];
  new Chart($('stress-chart'), {
    type: 'bar',
    data: {
      labels: scenarios,
      datasets: Object.entries(REGIME_COLORS).map(([regime, color]) => ({
        label: regime,
        backgroundColor: color,
        data: scenarios.map(
          (s) => body.results.find((r) => r.scenario === s && r.regime === regime)?.shortfallUsd ?? 0,
        ),
      })),
    },
    options: { animation: false, indexAxis: 'y', scales: { x: { beginAtZero: true } } },
  });
  const pct = (x) => (x === null ? 'no calm day' : `${(x * 100).toFixed(2)}%`);
  rows($('stress').tBodies[0], body.results, (r) => [
    r.scenario,
    r.regime,
    { text: usd(r.shortfallUsd), className: r.shortfallUsd > 0 ? 'low' : '' },
    usd(r.absorbedUsd.backstop),
    usd(r.absorbedUsd.insurance),
    usd(r.absorbedUsd.socialized),
    { text: usd(r.unownedUsd), className: r.unownedUsd > 0 ? 'low' : '' },
    r.liquidations.toLocaleString('en-US'),
    usd(r.liquidationCostUsd),
    r.worstHealth.toFixed(3),
    pct(r.calmCapital),
  ]);
}
renderStress().catch((err) => {
  $('stress-status').textContent = `stress report unavailable: ${err}`;
});

const events = new EventSource(`/v1/events${owner ? `?account=${owner}` : ''}`);
const showWaterfall = () =>
  renderWaterfall().catch((err) => {
    $('waterfall').textContent = `waterfall unavailable: ${err}`;
  });
showWaterfall();
setInterval(showWaterfall, 5_000);

events.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
events.addEventListener('error', () => {
  $('status').textContent = 'reconnecting…';
});
