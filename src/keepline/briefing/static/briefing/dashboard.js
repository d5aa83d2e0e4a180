// Draws the dashboard's charts from the same data the tables show; a click opens the
// list of enterprises behind the number.
(function () {
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const colours = ["#4e79a7", "#59a14f", "#f28e2b", "#e15759", "#bab0ac"];
  function chart(id) {
    const el = document.getElementById(id);
    const c = echarts.init(el);
    window.addEventListener("resize", () => c.resize());
    return c;
  }

  const modes = chart("chart-modes");
  modes.setOption({
    color: colours,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 40, bottom: 60 },
    xAxis: { type: "category", data: data.by_district.categories, axisLabel: { rotate: 30 } },
    yAxis: { type: "value" },
    series: data.by_district.series.map((s) => ({ name: s.name, type: "bar", stack: "modes", data: s.data })),
  });
  modes.on("click", (p) => {
    const url = data.by_district.series[p.seriesIndex].urls[p.dataIndex];
    if (url) window.location.href = url;
  });

  const targetPoints = data.targets.map((t) => ({ name: t.area, coord: [t.date, t.rate], value: t.rate + "%" }));
  const trend = chart("chart-trend");
  trend.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.trend.map((d) => d.date).concat(data.targets.map((t) => t.date).filter((d) => !data.trend.some((x) => x.date === d))) },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [
      { name: data.labels.trend, type: "line", data: data.trend.map((d) => d.resumption), markPoint: { data: targetPoints } },
      { name: data.labels.target, type: "line", lineStyle: { type: "dashed" }, data: [],
        markLine: { symbol: "none", data: data.targets.map((t) => ({ yAxis: t.rate, name: t.date })) } },
    ],
  });

  const industry = chart("chart-industry");
  const rows = data.by_industry.slice().reverse();
  industry.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 160, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value", max: 100 },
    yAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { width: 150, overflow: "truncate" } },
    series: [{ type: "bar", data: rows.map((r) => r.share), itemStyle: { color: "#59a14f" } }],
  });
  industry.on("click", (p) => {
    const url = rows[p.dataIndex].url;
    if (url) window.location.href = url;
  });

  // Problems by category: open (the handler side holds them), awaiting confirmation, closed.
  const panel = data.problems;
  if (panel && document.getElementById("chart-problems")) {
    const keys = ["open", "replied", "closed"];
    const problems = chart("chart-problems");
    problems.setOption({
      color: ["#e15759", "#f28e2b", "#59a14f"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 60 },
      xAxis: { type: "category", data: panel.by_category.map((r) => r.label), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: keys.map((k) => ({
        name: panel.labels[k], type: "bar", stack: "problems", data: panel.by_category.map((r) => r[k].value),
      })),
    });
    problems.on("click", (p) => {
      const url = panel.by_category[p.dataIndex][keys[p.seriesIndex]].url;
      if (url) window.location.href = url;
    });
  }
})();
