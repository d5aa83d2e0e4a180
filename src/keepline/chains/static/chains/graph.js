// A supply-chain graph from its JSON endpoint: suppliers to the left, customers to the right
// (layered) or a force layout; colour by region, by whether in the focus's city, or by segment;
// a line's width grows with the share; clicking an enterprise opens its chain page.
(function () {
  const el = document.getElementById("chain-graph");
  if (!el || typeof echarts === "undefined") return;
  const d = el.dataset;
  const chart = echarts.init(el);
  window.addEventListener("resize", () => chart.resize());

  function categoryOf(node) {
    if (d.colour === "city") return node.home_city ? d.labelHome : d.labelAway;
    if (d.colour === "segment") return node.segment || "—";
    return node.region;
  }

  function layered(nodes) {
    // Each level a column; within it enterprises spread evenly around the middle.
    const byLevel = {};
    nodes.forEach((n) => (byLevel[n.level] = byLevel[n.level] || []).push(n));
    Object.values(byLevel).forEach((column) => {
      column.forEach((n, i) => {
        n.x = n.level * 240;
        n.y = (i - (column.length - 1) / 2) * 60;
      });
    });
  }

  function draw(data) {
    const names = [];
    data.nodes.forEach((n) => {
      const c = categoryOf(n);
      if (!names.includes(c)) names.push(c);
    });
    const force = d.layout === "force" || data.nodes.every((n) => n.level === 0);
    if (!force) layered(data.nodes);
    chart.setOption({
      tooltip: {
        formatter: (p) =>
          p.dataType === "edge"
            ? `${echarts.format.encodeHTML(p.data.product)} (${p.data.sector})<br>${d.labelShare}: ${Math.round(p.data.share * 100)}% · ${d.labelStock}: ${p.data.stock_days}`
            : `${echarts.format.encodeHTML(p.data.name)}<br>${echarts.format.encodeHTML(p.data.region)}`,
      },
      legend: { top: 0, type: "scroll", data: names },
      series: [
        {
          type: "graph",
          layout: force ? "force" : "none",
          roam: true,
          draggable: force,
          force: { repulsion: 220, edgeLength: [80, 180] },
          top: 40,
          label: { show: true, position: "bottom", fontSize: 11, overflow: "truncate", width: 130 },
          edgeSymbol: ["none", "arrow"],
          edgeSymbolSize: 8,
          categories: names.map((name) => ({ name })),
          data: data.nodes.map((n) => ({
            id: String(n.id),
            name: n.name,
            region: n.region,
            openable: n.openable,
            x: n.x,
            y: n.y,
            category: names.indexOf(categoryOf(n)),
            symbolSize: n.focus ? 30 : 16,
            itemStyle: n.focus ? { borderColor: "#000", borderWidth: 2 } : undefined,
            label: n.focus ? { fontWeight: "bold" } : undefined,
          })),
          links: data.edges.map((e) => ({
            source: String(e.source),
            target: String(e.target),
            product: e.product,
            sector: e.sector,
            share: e.share,
            stock_days: e.stock_days,
            lineStyle: { width: 1 + e.share * 7, opacity: 0.7, curveness: 0.1, type: e.substitutes ? "dashed" : "solid" },
          })),
        },
      ],
    });
  }

  chart.on("click", (p) => {
    if (p.dataType === "node" && p.data.openable) {
      window.location.href = `/chains/enterprises/${p.data.id}/?${new URLSearchParams({ depth: new URLSearchParams(window.location.search).get("depth") || "2", colour: d.colour, layout: d.layout })}`;
    }
  });

  chart.showLoading();
  fetch(d.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((data) => {
      chart.hideLoading();
      draw(data);
    })
    .catch(() => chart.hideLoading());
})();
