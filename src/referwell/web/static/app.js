/* referwell: charts for questionnaire trajectories, tables that scroll within themselves, focus
   after partial updates. No inline script anywhere (the Content-Security-Policy forbids it):
   data comes from <script type="application/json"> elements. */
(function () {
  "use strict";

  var DAY = 86400000;
  var MONDAY = 4; // 1970-01-05, day number 4, was a Monday
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var TICK_GAP = 16; // px of air between two date labels
  var SCORE_TICK_SPACING = 24; // px between score ticks at the least
  var POINT_ROOM = 12; // px beside the first and last point: the largest marker's radius
  var COLORS = {
    score: "#1f4e79",
    caseness: "#9a3412",
    improvement: "#166534",
    deterioration: "#b91c1c"
  };

  // ---- Pure functions: the axes' ranges and ticks (tests/browser/test_charts.py runs them). ----

  function dayNumber(iso) {
    return Math.round(Date.parse(iso + "T00:00:00Z") / DAY);
  }

  function dateOf(number) {
    var date = new Date(number * DAY);
    return { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate() };
  }

  function dayOf(year, month, day) {
    var date = new Date(0);
    date.setUTCFullYear(year, month, day);
    return Math.round(date.getTime() / DAY);
  }

  /** A day as the pages write it: "3 Nov 2026". */
  function dayLabel(number) {
    var d = dateOf(number);
    return d.day + " " + MONTHS[d.month] + " " + d.year;
  }

  /** The date axis's range on `width` pixels: the data's first to last day, and on either
      side a margin just wide enough for a point's marker (at least a day; three days either
      side of a single day). */
  function dateDomain(firstDay, lastDay, width) {
    var span = lastDay - firstDay;
    if (span === 0) {
      return { min: firstDay - 3, max: lastDay + 3 };
    }
    var usable = Math.max((width || 0) - 2 * POINT_ROOM, 60);
    var margin = Math.max(1, Math.ceil(span * POINT_ROOM / usable));
    return { min: firstDay - margin, max: lastDay + margin };
  }

  // Round steps, finest first: days, weeks (Mondays), months (the first), years (1 January).
  var DATE_STEPS = [
    { unit: "day", every: 1 }, { unit: "day", every: 2 },
    { unit: "week", every: 1 }, { unit: "week", every: 2 },
    { unit: "month", every: 1 }, { unit: "month", every: 2 }, { unit: "month", every: 3 },
    { unit: "month", every: 6 },
    { unit: "year", every: 1 }, { unit: "year", every: 2 }, { unit: "year", every: 5 },
    { unit: "year", every: 10 }, { unit: "year", every: 20 }, { unit: "year", every: 50 },
    { unit: "year", every: 100 }, { unit: "year", every: 200 }, { unit: "year", every: 500 }
  ];

  function ceilTo(value, every, offset) {
    return Math.ceil((value - offset) / every) * every + offset;
  }

  function stepTicks(step, min, max) {
    var days = [];
    var value;
    var start = dateOf(min);
    if (step.unit === "day" || step.unit === "week") {
      var every = step.unit === "day" ? step.every : 7 * step.every;
      for (value = ceilTo(min, every, step.unit === "day" ? 0 : MONDAY); value <= max; value += every) {
        days.push(value);
      }
    } else if (step.unit === "month") {
      var month = ceilTo(start.year * 12 + start.month, step.every, 0);
      for (; (value = dayOf(Math.floor(month / 12), month % 12, 1)) <= max; month += step.every) {
        if (value >= min) {
          days.push(value);
        }
      }
    } else {
      for (var year = ceilTo(start.year, step.every, 0); (value = dayOf(year, 0, 1)) <= max; year += step.every) {
        if (value >= min) {
          days.push(value);
        }
      }
    }
    return days;
  }

  function stepLabels(step, days) {
    var previousYear = null;
    return days.map(function (number) {
      var d = dateOf(number);
      var showYear = d.year !== previousYear;
      previousYear = d.year;
      if (step.unit === "year") {
        return String(d.year);
      }
      var label = step.unit === "month" ? MONTHS[d.month] : d.day + " " + MONTHS[d.month];
      return showYear ? label + " " + d.year : label;
    });
  }

  function labelsFit(days, labels, min, max, width, measure) {
    var scale = width / Math.max(max - min, 1);
    for (var i = 1; i < days.length; i++) {
      var room = (days[i] - days[i - 1]) * scale;
      if (room < (measure(labels[i - 1]) + measure(labels[i])) / 2 + TICK_GAP) {
        return false;
      }
    }
    return true;
  }

  /** The date axis's ticks from day `min` to day `max` on `width` pixels: the finest round
      step (days, Mondays, first of months, 1 January of round years) whose labels, measured
      by `measure(text)` in pixels, leave room between each other. The year is written on the
      first label and wherever it changes. Returns {step, ticks: [{value, label}]}. */
  function dateTicks(min, max, width, measure) {
    for (var i = 0; i < DATE_STEPS.length; i++) {
      var step = DATE_STEPS[i];
      var days = stepTicks(step, min, max);
      if (days.length === 0) {
        break; // coarser steps find no round day either
      }
      var labels = stepLabels(step, days);
      if (labelsFit(days, labels, min, max, width, measure)) {
        return {
          step: step.every + " " + step.unit,
          ticks: days.map(function (value, index) { return { value: value, label: labels[index] }; })
        };
      }
    }
    // Too narrow for two labels: the middle day alone.
    var middle = Math.round((min + max) / 2);
    return { step: "none", ticks: [{ value: middle, label: dayLabel(middle) }] };
  }

  /** The score axis's top: the instrument's maximum, or without one the data's maximum
      rounded up to a multiple of 5 (10 past 50). */
  function scoreMax(instrumentMax, dataMax) {
    if (instrumentMax) {
      return Math.max(instrumentMax, dataMax || 0);
    }
    var round = dataMax > 50 ? 10 : 5;
    return Math.max(round, Math.ceil((dataMax || 0) / round) * round);
  }

  /** The score axis's ticks from 0 to `max` on the finest round step (1, 2, 5, 10, 20, 25,
      50…) that leaves `spacing` pixels between ticks on `height` pixels. */
  function scoreTicks(max, height, spacing) {
    var most = Math.max(2, Math.floor(height / (spacing || SCORE_TICK_SPACING)) + 1);
    var steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) {
      if (Math.floor(max / steps[i]) + 1 <= most) {
        step = steps[i];
        break;
      }
    }
    var ticks = [];
    for (var value = 0; value <= max; value += step) {
      ticks.push(value);
    }
    return { step: step, ticks: ticks };
  }


  // ---- Drawing with Chart.js ----

  function measurer(axis) {
    var ctx = axis.ctx;
    var font = Chart.helpers.toFont(axis.options.ticks.font);
    return function (text) {
      ctx.save();
      ctx.font = font.string;
      var width = ctx.measureText(text).width;
      ctx.restore();
      return width;
    };
  }

  function drawChart(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) {
      return;
    }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.points.length) {
      return;
    }
    var points = data.points.map(function (p) {
      return { x: dayNumber(p.date), y: p.total, marker: p.marker, change: p.change };
    });
    var days = points.map(function (p) { return p.x; });
    var firstDay = Math.min.apply(null, days);
    var lastDay = Math.max.apply(null, days);
    var domain = dateDomain(firstDay, lastDay, canvas.parentNode.clientWidth);
    var scoreTop = scoreMax(data.total_max, Math.max.apply(null, points.map(function (p) { return p.y; })));
    var markers = function (kind) {
      return points.filter(function (p) { return p.marker === kind; });
    };
    canvas.dataset.drawn = "1";
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {
            label: data.instrument + " score",
            data: points,
            borderColor: COLORS.score,
            backgroundColor: COLORS.score,
            pointRadius: 4,
            tension: 0
          },
          {
            label: "Caseness (" + data.caseness_cutoff + ")",
            // Across the widest the axis can be; the chart area clips it.
            data: [
              { x: firstDay - 3 - (lastDay - firstDay), y: data.caseness_cutoff },
              { x: lastDay + 3 + (lastDay - firstDay), y: data.caseness_cutoff }
            ],
            borderColor: COLORS.caseness,
            borderDash: [6, 4],
            borderWidth: 1.5,
            pointRadius: 0,
            pointHitRadius: 0
          },
          {
            label: "Reliable improvement",
            type: "scatter",
            data: markers("reliable_improvement"),
            borderColor: COLORS.improvement,
            backgroundColor: "rgba(22, 101, 52, 0.15)",
            pointStyle: "circle",
            pointRadius: 9,
            borderWidth: 2
          },
          {
            label: "Reliable deterioration",
            type: "scatter",
            data: markers("reliable_deterioration"),
            borderColor: COLORS.deterioration,
            backgroundColor: "rgba(185, 28, 28, 0.15)",
            pointStyle: "triangle",
            pointRadius: 10,
            borderWidth: 2
          }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: "linear",
            min: domain.min,
            max: domain.max,
            // Chart.js would put ticks on round numbers of days since 1970; these are round
            // dates, as many as the axis's width has room for (recomputed on every resize).
            afterBuildTicks: function (axis) {
              var range = dateDomain(firstDay, lastDay, axis.width);
              axis.min = range.min;
              axis.max = range.max;
              var found = dateTicks(range.min, range.max, axis.width, measurer(axis));
              axis.referwellLabels = {};
              found.ticks.forEach(function (tick) { axis.referwellLabels[tick.value] = tick.label; });
              axis.ticks = found.ticks.map(function (tick) { return { value: tick.value }; });
            },
            ticks: {
              autoSkip: false,
              maxRotation: 0,
              minRotation: 0,
              callback: function (value) {
                return (this.referwellLabels && this.referwellLabels[value]) || "";
              }
            }
          },
          y: {
            min: 0,
            max: scoreTop,
            afterBuildTicks: function (axis) {
              axis.ticks = scoreTicks(scoreTop, axis.height).ticks.map(function (value) {
                return { value: value };
              });
            },
            ticks: { autoSkip: false },
            title: { display: true, text: "Total score" }
          }
        },
        plugins: {
          legend: {
            labels: {
              usePointStyle: true,
              boxHeight: 8,
              filter: function (item, chartData) {
                return chartData.datasets[item.datasetIndex].data.length > 0;
              }
            }
          },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? dayLabel(items[0].raw.x) : ""; }
            }
          }
        }
      }
    });
  }

  window.referwellCharts = {
    dayNumber: dayNumber,
    dayLabel: dayLabel,
    dateDomain: dateDomain,
    dateTicks: dateTicks,
    scoreMax: scoreMax,
    scoreTicks: scoreTicks,
    draw: drawChart
  };

  function drawCharts(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(drawChart);
  }

  // ---- Tables: each in a container of its own that scrolls sideways when the table is wider
  // than the page, so the page itself never does (app.css has the no-script fallback). ----

  function wrapTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-scroll")) {
        return;
      }
      var wrapper = document.createElement("div");
      wrapper.className = "table-scroll";
      parent.insertBefore(wrapper, table);
      wrapper.appendChild(table);
    });
  }

  function tableName(wrapper) {
    var caption = wrapper.querySelector("caption");
    var section = wrapper.closest("[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    var parts = [caption && caption.textContent, heading && heading.textContent].filter(Boolean);
    var text = parts.length ? parts.join(", in ") : "Table";
    return text.replace(/\s+/g, " ").trim() + " (scrolls sideways)";
  }

  // Each region's name is unique on the page (two tables of one kind get a number).
  function uniqueName(name, taken) {
    var unique = name;
    for (var n = 2; taken[unique]; n += 1) {
      unique = name + " " + n;
    }
    taken[unique] = true;
    return unique;
  }

  // A container that scrolls must be reachable by keyboard to be scrolled: it becomes a named,
  // focusable region only while it scrolls.
  function markScrollingTables(root) {
    var taken = {};
    root.querySelectorAll(".table-scroll").forEach(function (wrapper) {
      if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", uniqueName(tableName(wrapper), taken));
      } else if (wrapper.hasAttribute("tabindex")) {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
      }
    });
  }

  function prepareTables(root) {
    wrapTables(root);
    markScrollingTables(root);
  }

  // ---- Focus ----

  // The element that asks for the focus gets it and is scrolled to the top; a save's
  // confirmation (#saved) just above it is scrolled into view with it.
  function focusFirst(root) {
    var target = root.querySelector("[data-focus]") || root.querySelector("[aria-invalid='true']");
    if (!target) {
      return;
    }
    var saved = root.querySelector("#saved");
    var top = saved && (saved.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING) ? saved : target;
    target.focus({ preventScroll: true });
    if (top.scrollIntoView) {
      top.scrollIntoView({ block: "start" });
    }
  }

  // Automatic logoff: once a signed-in page has made no request for the session's idle time,
  // it reloads, so that what it showed leaves the screen (the server has ended the session by
  // then and answers with the sign-in page). Each htmx request starts the wait again.
  var idleTimer = null;
  function watchIdle() {
    var seconds = Number(document.body.getAttribute("data-idle-seconds"));
    if (!seconds) {
      return;
    }
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(function () { window.location.reload(); }, (seconds + 5) * 1000);
  }
  document.addEventListener("htmx:afterRequest", watchIdle);

  document.addEventListener("DOMContentLoaded", function () {
    prepareTables(document);
    drawCharts(document);
    focusFirst(document);
    watchIdle();
  });

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { markScrollingTables(document); }, 150);
  });

  document.addEventListener("toggle", function (event) {
    // A table inside a <details> has no width until it is opened.
    if (event.target.querySelector) {
      markScrollingTables(event.target);
    }
  }, true);

  document.addEventListener("htmx:beforeSwap", function () {
    if (typeof Chart !== "undefined") {
      Object.values(Chart.instances).forEach(function (chart) { chart.destroy(); });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = document.getElementById("main") || document;
    prepareTables(root);
    drawCharts(root);
    focusFirst(root);
    if (event.detail && event.detail.elt && !root.querySelector("[data-focus]")) {
      root.focus();
    }
  });
})();
