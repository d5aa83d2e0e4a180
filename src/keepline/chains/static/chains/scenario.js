// The scenario page's charts, drawn from the figures endpoint (the same numbers as the tables).
(function () {
  const source = document.getElementById("figures-source");
  if (!source || typeof echarts === "undefined") return;
  const colours = ["#e15759", "#f28e2b"];
  function chart(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    const c = echarts.init(el);
    window.addEventListener("resize", () => c.resize());
    return c;
  }
  function bars(id, rows, labels) {
    const c = chart(id);
    if (!c) return;
    const shown = rows.slice(0, 15).reverse();
    c.setOption({
      color: colours,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 120, right: 20, top: 30, bottom: 20 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: shown.map((r) => r.label), axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        { name: labels.direct, type: "bar", stack: "loss", data: shown.map((r) => Number(r.direct)) },
        { name: labels.indirect, type: "bar", stack: "loss", data: shown.map((r) => Number(r.indirect)) },
      ],
    });
  }
  fetch(source.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      const labels = JSON.parse(document.getElementById("chart-labels").textContent);
      bars("chart-region", data.by_region, labels);
      bars("chart-industry", data.by_industry, labels);
      const index = chart("chart-index");
      if (index) {
        index.setOption({
          tooltip: { trigger: "axis" },
          grid: { left: 50, right: 20, top: 20, bottom: 30 },
          xAxis: { type: "category", data: data.index.map((p) => p.date) },
          yAxis: { type: "value", min: 0 },
          series: [{ name: labels.index, type: "line", data: data.index.map((p) => p.index), showSymbol: false }],
        });
      }
    })
    .catch(() => {
      document.querySelectorAll(".kl-chart").forEach((el) => { el.hidden = true; });
    });
})();
