// Draws an enterprise's daily energy against its baseline with a row of official and reported
// modes under it (and the alert's days shaded), and a day's load shape against the usual one.
// The pages show the same numbers as tables.
(function () {
  function chart(el) {
    const c = echarts.init(el);
    window.addEventListener("resize", () => c.resize());
    return c;
  }

  const powerEl = document.getElementById("power-chart");
  const powerData = document.getElementById("power-data");
  if (powerEl && powerData) {
    const d = JSON.parse(powerData.textContent);
    const index = Object.fromEntries(d.modes.map((m, i) => [m.value, i]));
    const cells = [];
    d.days.forEach((_day, i) => {
      if (d.official[i] in index) cells.push([i, 0, index[d.official[i]]]);
      if (d.reported[i] in index) cells.push([i, 1, index[d.reported[i]]]);
    });
    const band = d.window
      ? { silent: true, label: { position: "insideTop" }, itemStyle: { color: "rgba(225, 87, 89, 0.12)" }, data: [[{ name: d.labels.window, xAxis: d.window[0] }, { xAxis: d.window[1] }]] }
      : undefined;
    chart(powerEl).setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, data: [d.labels.kwh, d.labels.baseline] },
      grid: [
        { left: 90, right: 16, top: 36, bottom: 110 },
        { left: 90, right: 16, height: 44, bottom: 32 },
      ],
      xAxis: [
        { type: "category", data: d.days, gridIndex: 0, axisLabel: { show: false } },
        { type: "category", data: d.days, gridIndex: 1, splitArea: { show: true } },
      ],
      yAxis: [
        { type: "value", gridIndex: 0 },
        { type: "category", gridIndex: 1, data: [d.labels.official, d.labels.reported], splitArea: { show: true } },
      ],
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      dataZoom: [{ type: "inside", xAxisIndex: [0, 1] }],
      // The page draws the modes' legend, which wraps on a phone.
      visualMap: {
        type: "piecewise",
        show: false,
        seriesIndex: 2,
        dimension: 2,
        pieces: d.modes.map((m, i) => ({ value: i, label: m.label, color: m.colour })),
      },
      series: [
        // Null days stay gaps: a missing reading is not a zero.
        { name: d.labels.kwh, type: "line", data: d.kwh, connectNulls: false, symbolSize: 4, markArea: band },
        { name: d.labels.baseline, type: "line", data: d.baseline, connectNulls: false, symbol: "none", lineStyle: { type: "dashed" } },
        { type: "heatmap", xAxisIndex: 1, yAxisIndex: 1, data: cells, tooltip: { show: false } },
      ],
    });
  }

  const shapeEl = document.getElementById("shape-chart");
  const shapeData = document.getElementById("shape-data");
  if (shapeEl && shapeData) {
    const s = JSON.parse(shapeData.textContent);
    chart(shapeEl).setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 60, right: 16, top: 36, bottom: 30 },
      xAxis: { type: "category", data: s.hours },
      yAxis: { type: "value" },
      series: [
        { name: s.labels.today, type: "bar", data: s.today, itemStyle: { color: "#4e79a7" } },
        { name: s.labels.usual, type: "line", data: s.usual, symbol: "none", lineStyle: { color: "#f28e2b", width: 2 } },
      ],
    });
  }
})();
