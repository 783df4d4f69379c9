// 统计数汇总: one small bar chart per measure, its sum in each quarter. The figures come from the
// page's <script type="application/json" id="measure-trend-data"> (Django's json_script), so the
// page needs no inline script; the table above the charts holds the same figures without JS.
(function () {
  "use strict";

  const source = document.getElementById("measure-trend-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const byId = new Map(data.series.map((series) => [String(series.id), series]));
  const style = getComputedStyle(document.body);

  // Chinese labels in the page's own font rather than Chart.js's Helvetica stack.
  Chart.defaults.font.family = style.fontFamily;
  Chart.defaults.color = "#4b5563";

  const navy = style.getPropertyValue("--app-navy").trim() || "#1f2f4d";
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  document.querySelectorAll("canvas[data-measure-chart]").forEach((canvas) => {
    const series = byId.get(canvas.dataset.measureChart);
    if (!series) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: series.label,
          data: series.values, // null: no counted report that quarter, no bar
          backgroundColor: navy,
          borderRadius: 2,
          maxBarThickness: 36,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (context) => `${context.formattedValue} ${series.unit}`,
            },
          },
        },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: false } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  });
})();
