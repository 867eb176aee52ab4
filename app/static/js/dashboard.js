/* Dasbor e-Kinerja: fetches the scoped JSON of /dashboard/data/<name> and draws it with the
 * Chart.js served from /static/vendor/chartjs (no external URL: the panel runs on a closed
 * network). Labels in Bahasa Indonesia. */
(function () {
  "use strict";

  var root = document.getElementById("ek-dashboard");
  if (!root || typeof Chart === "undefined") { return; }

  var COLORS = {
    target: "#d9534f", recognised: "#2e7d32", pending: "#f0ad4e", notSubmitted: "#9e9e9e",
    overdue: "#c62828", onTime: "#1565c0", submitted: "#26a69a", score: "#5c6bc0"
  };
  var PREDIKAT_COLORS = ["#1b5e20", "#43a047", "#fbc02d", "#ef6c00", "#b71c1c"];
  var charts = {};

  Chart.defaults.font.family = "'Helvetica Neue', Helvetica, Arial, sans-serif";

  function fmt(n, digits) {
    if (n === null || n === undefined) { return "–"; }
    return Number(n).toLocaleString("id-ID", {minimumFractionDigits: digits || 0, maximumFractionDigits: digits || 0});
  }

  function panel(name) { return root.querySelector('[data-chart="' + name + '"]'); }

  function dataUrl(name, params) {
    var url = root.getAttribute("data-url-" + name.replace(/_/g, "-"));
    var q = [];
    var period = root.getAttribute("data-period");
    if (period) { q.push("period=" + encodeURIComponent(period)); }
    Object.keys(params || {}).forEach(function (k) {
      if (params[k]) { q.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k])); }
    });
    return url + (q.length ? "?" + q.join("&") : "");
  }

  function message(el, text) { el.querySelector(".ek-message").textContent = text || ""; }

  function showChart(el, visible) { el.querySelector(".ek-chart-box").style.display = visible ? "" : "none"; }

  function load(name, params, draw) {
    var el = panel(name);
    if (!el) { return; }
    message(el, "Memuat data…");
    fetch(dataUrl(name, params), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (body) {
          if (!resp.ok) { throw new Error(body.message || ("Gagal memuat data (" + resp.status + ").")); }
          return body;
        });
      })
      .then(function (body) { message(el, ""); draw(el, body); })
      .catch(function (err) {
        if (charts[name]) { charts[name].destroy(); delete charts[name]; }
        showChart(el, false);
        message(el, err.message);
      });
  }

  function draw(name, el, config, height) {
    if (charts[name]) { charts[name].destroy(); }
    showChart(el, true);
    if (height) { el.querySelector(".ek-chart-box").style.height = height + "px"; }
    config.options = Object.assign({responsive: true, maintainAspectRatio: false}, config.options || {});
    charts[name] = new Chart(el.querySelector("canvas"), config);
  }

  function figures(el, items) {
    var box = el.querySelector(".ek-figures");
    box.textContent = "";
    items.forEach(function (it) {
      var span = document.createElement("span");
      span.appendChild(document.createTextNode(it[0] + ": "));
      var strong = document.createElement("strong");
      strong.textContent = it[1];
      span.appendChild(strong);
      box.appendChild(span);
    });
  }

  function rowsHeight(n) { return Math.max(220, 60 + n * 28); }

  // ------------------------------------------------------------------ employee's month
  function drawEmployeeMonth(el, d) {
    var subject = el.querySelector(".ek-subject");
    if (subject) { subject.textContent = " — " + d.employee.name + " (" + d.employee.nip + ")"; }
    figures(el, [
      ["Menit diakui", fmt(d.totals.recognised)],
      ["Target bulan", fmt(d.totals.target)],
      ["Capaian kinerja (maks. 100%)", fmt(d.totals.achievement_pct, 2) + "%"],
      ["Menit diakui ÷ target (tanpa batas 100%)",
       d.totals.ratio_uncapped_pct === null ? "–" : fmt(d.totals.ratio_uncapped_pct, 2) + "%"],
      ["Menunggu persetujuan", fmt(d.totals.pending) + " menit"],
      ["Hari kerja", fmt(d.working_days)]
    ]);
    draw("employee_month", el, {
      data: {
        labels: d.days.map(function (x) { return x.day + " " + x.weekday.slice(0, 3); }),
        datasets: [
          {type: "line", label: "Target harian", data: d.days.map(function (x) { return x.target; }),
           borderColor: COLORS.target, backgroundColor: COLORS.target, stepped: "middle", pointRadius: 0, order: 0},
          {type: "bar", label: "Menit diakui", data: d.days.map(function (x) { return x.recognised; }),
           backgroundColor: COLORS.recognised, stack: "m", order: 1},
          {type: "bar", label: "Menunggu persetujuan", data: d.days.map(function (x) { return x.pending; }),
           backgroundColor: COLORS.pending, stack: "m", order: 1},
          {type: "bar", label: "Belum diajukan", data: d.days.map(function (x) { return x.not_submitted; }),
           backgroundColor: COLORS.notSubmitted, stack: "m", order: 1}
        ]
      },
      options: {
        scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, title: {display: true, text: "Menit"}}},
        plugins: {tooltip: {callbacks: {afterTitle: function (items) {
          var x = d.days[items[0].dataIndex];
          return x.holiday ? "Libur: " + x.holiday : (x.absence ? x.absence : (x.working_day ? "" : "Bukan hari kerja"));
        }}}}
      }
    });
  }

  // ------------------------------------------------------------------ superior's queue
  function drawQueue(el, d) {
    figures(el, [["Menunggu keputusan", fmt(d.pending)], ["Terlambat", fmt(d.overdue)]]);
    var rows = d.employees.slice(0, 25);
    if (!rows.length) {
      if (charts.queue) { charts.queue.destroy(); delete charts.queue; }
      showChart(el, false);
      message(el, "Tidak ada aktivitas yang menunggu keputusan Anda.");
      return;
    }
    draw("queue", el, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.name; }),
        datasets: [
          {label: "Belum lewat batas", data: rows.map(function (r) { return r.pending - r.overdue; }),
           backgroundColor: COLORS.pending},
          {label: "Terlambat", data: rows.map(function (r) { return r.overdue; }), backgroundColor: COLORS.overdue}
        ]
      },
      options: {indexAxis: "y", scales: {x: {stacked: true, beginAtZero: true, ticks: {precision: 0},
                                                 title: {display: true, text: "Jumlah aktivitas"}},
                                             y: {stacked: true}}}
    }, rowsHeight(rows.length));
  }

  // ------------------------------------------------------------------ OPD charts
  function drawOpdRates(el, d) {
    var rows = d.opd;
    if (!rows.length) { message(el, "Tidak ada data OPD dalam cakupan Anda."); }
    draw("opd_rates", el, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.name; }),
        datasets: [
          {label: "Tingkat pengajuan (%)", data: rows.map(function (r) { return r.submission_rate; }),
           backgroundColor: COLORS.submitted},
          {label: "Persetujuan tepat waktu (%)", data: rows.map(function (r) { return r.on_time_rate; }),
           backgroundColor: COLORS.onTime}
        ]
      },
      options: {
        indexAxis: "y",
        scales: {x: {min: 0, max: 100, title: {display: true, text: "Persen"}}},
        plugins: {tooltip: {callbacks: {afterLabel: function (item) {
          var r = rows[item.dataIndex];
          return item.datasetIndex === 0
            ? fmt(r.submitted) + " dari " + fmt(r.activities) + " aktivitas diajukan"
            : fmt(r.on_time) + " dari " + fmt(r.decided) + " keputusan tepat waktu";
        }}}}
      }
    }, rowsHeight(rows.length * 2));
  }

  function drawOpdScores(el, d) {
    var rows = d.opd;
    if (!rows.length) { message(el, "Tidak ada data OPD dalam cakupan Anda."); }
    draw("opd_scores", el, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.name; }),
        datasets: [{label: "Rata-rata capaian kinerja", data: rows.map(function (r) { return r.average; }),
                    backgroundColor: COLORS.score}]
      },
      options: {
        indexAxis: "y",
        scales: {x: {min: 0, max: 100, title: {display: true, text: "Capaian kinerja (0–100)"}}},
        plugins: {tooltip: {callbacks: {afterLabel: function (item) {
          var r = rows[item.dataIndex];
          return r.employees ? fmt(r.employees) + " pegawai; terendah " + fmt(r.lowest, 2) + ", tertinggi " + fmt(r.highest, 2)
                             : "Belum ada rekap";
        }}}}
      }
    }, rowsHeight(rows.length));
  }

  function drawPredikat(el, d) {
    var rows = d.opd;
    if (!rows.length) { message(el, "Tidak ada data OPD dalam cakupan Anda."); }
    draw("predikat", el, {
      type: "bar",
      data: {
        labels: rows.map(function (r) {
          return r.name + " (" + (r.org_predikat_label ? "organisasi: " + r.org_predikat_label : "predikat organisasi belum ditetapkan") + ")";
        }),
        datasets: d.predikat.map(function (p, i) {
          return {label: p.label, data: rows.map(function (r) { return r.total ? r.percent[p.code] : null; }),
                  backgroundColor: PREDIKAT_COLORS[i % PREDIKAT_COLORS.length]};
        })
      },
      options: {
        indexAxis: "y",
        scales: {x: {stacked: true, min: 0, max: 100, title: {display: true, text: "Persen pegawai"}}, y: {stacked: true}},
        plugins: {tooltip: {callbacks: {label: function (item) {
          var r = rows[item.dataIndex], code = d.predikat[item.datasetIndex].code;
          return item.dataset.label + ": " + fmt(r.counts[code]) + " pegawai (" + fmt(r.percent[code], 2) + "%)";
        }}}}
      }
    }, rowsHeight(rows.length));
    var box = el.querySelector(".ek-violations");
    box.textContent = "";
    rows.forEach(function (r) {
      if (!r.violations.length) { return; }
      var div = document.createElement("div");
      div.className = "alert alert-warning";
      var title = document.createElement("strong");
      title.textContent = r.name + ": ";
      div.appendChild(title);
      div.appendChild(document.createTextNode(r.violations.join(" ")));
      box.appendChild(div);
    });
  }

  // ------------------------------------------------------------------ start
  var monthPanel = panel("employee_month");
  if (monthPanel && monthPanel.getAttribute("data-own") === "1") {
    load("employee_month", {}, drawEmployeeMonth);
  } else if (monthPanel) {
    showChart(monthPanel, false);
    message(monthPanel, "Isi NIP pegawai lalu pilih Tampilkan.");
  }
  var form = root.querySelector(".ek-employee-form");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      load("employee_month", {nip: form.querySelector("input[name=nip]").value.trim()}, drawEmployeeMonth);
    });
  }
  load("queue", {}, drawQueue);
  load("opd_rates", {}, drawOpdRates);
  load("opd_scores", {}, drawOpdScores);
  load("predikat", {}, drawPredikat);
})();
