// The index page: the trend chart from the numbers its table shows, and the baseline's
// parameters shown only for the method that uses them.
(function () {
  const method = document.getElementById("id_baseline");
  const uses = { period: ["baseline_start", "baseline_end"], days_before: ["baseline_event", "baseline_days"] };
  function toggle() {
    const wanted = uses[method.value] || [];
    ["baseline_start", "baseline_end", "baseline_event", "baseline_days"].forEach((name) => {
      const box = document.querySelector(`[data-field="${name}"]`);
      if (box) box.hidden = !wanted.includes(name) && !box.querySelector("[data-field-error]");
    });
  }
  if (method) {
    method.addEventListener("change", toggle);
    toggle();
  }

  const source = document.getElementById("index-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const el = document.getElementById("chart-index");
  const chart = echarts.init(el);
  window.addEventListener("resize", () => chart.resize());
  const numbers = (values) => values.map((v) => (v === null ? null : Number(v)));
  chart.setOption({
    color: ["#4e79a7", "#bab0ac"],
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", min: 0 },
    series: [
      { name: data.labels.index, type: "line", data: numbers(data.index), connectNulls: false },
      { name: data.labels.year_before, type: "line", lineStyle: { type: "dashed" }, data: numbers(data.year_before), connectNulls: false },
    ],
  });
})();
