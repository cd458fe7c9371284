/* A report (get_report) or the queue now (get_queue_metrics): a small bar chart in inline SVG and the table. */
"use strict";
const Report = (() => {
  const { el } = UI;
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  /** Grouped bars: one group per row, one bar per series; numbers only come from the data. */
  function chart(groups, series, title) {
    const width = 720;
    const height = 180;
    const left = 34;
    const bottom = 36;
    const top = 10;
    const max = Math.max(1, ...groups.flatMap((g) => series.map((s) => Number(g.values[s.key]) || 0)));
    const plotHeight = height - bottom - top;
    const slot = (width - left - 8) / Math.max(1, groups.length);
    const bar = Math.max(4, Math.min(28, (slot - 10) / series.length));
    const root = svg("svg", { class: "chart", viewBox: "0 0 " + width + " " + height, role: "img" });
    root.append(svg("title", {}, title));
    for (const tick of [0, 0.5, 1]) {
      const y = top + plotHeight * (1 - tick);
      root.append(svg("line", { class: "axis", x1: left, x2: width - 4, y1: y, y2: y, "stroke-width": tick === 0 ? 1 : 0.5 }));
      root.append(svg("text", { x: left - 4, y: y + 4, "text-anchor": "end" }, Math.round(max * tick)));
    }
    groups.forEach((group, i) => {
      const x0 = left + i * slot + (slot - bar * series.length) / 2;
      series.forEach((s, j) => {
        const value = Number(group.values[s.key]) || 0;
        const h = (plotHeight * value) / max;
        const rect = svg("rect", { class: "series-" + j, x: x0 + j * bar, y: top + plotHeight - h, width: bar - 2, height: h, rx: 2 });
        rect.append(svg("title", {}, group.label + " · " + s.label + ": " + value));
        root.append(rect);
      });
      const fits = Math.max(3, Math.floor(slot / 6.5));
      const label = group.label.length > fits ? group.label.slice(0, fits - 1) + "…" : group.label;
      root.append(svg("text", { x: left + i * slot + slot / 2, y: height - bottom + 16, "text-anchor": "middle" }, label));
    });
    const legend = el("div", { className: "legend" }, series.map((s, j) => el("span", {}, [el("span", { className: "swatch series-" + j }), document.createTextNode(s.label)])));
    return el("figure", { className: "figure" }, [root, legend]);
  }

  function table(columns, rows) {
    const head = el("tr", {}, columns.map((c) => el("th", { className: c.num ? "num" : "", text: c.label, attrs: { scope: "col" } })));
    const body = rows.map((row) => el("tr", {}, columns.map((c) => {
      const value = row[c.key];
      return el("td", { className: c.num ? "num" : "" }, [value === undefined || value === null ? el("span", { className: "muted", text: "—" }) : UI.marked(value)]);
    })));
    return el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)]);
  }

  const KINDS = { agents: "Agent", teams: "Team", inboxes: "Inbox", labels: "Label" };

  function rowName(row) {
    if (row.name) return UI.plain(row.name);
    return row.id !== undefined && row.id !== null ? "#" + row.id : "—";
  }

  function report(data) {
    const rows = data.rows || [];
    const title = data.kind === "account" ? "Account report" : "Report by " + (KINDS[data.kind] || data.kind).toLowerCase();
    const period = UI.when(data.since) + " – " + UI.when(data.until) + (data.business_hours ? " · business hours" : "");
    const series = [
      { key: "conversations", label: "Conversations" },
      { key: "resolved", label: "Resolved" },
    ];
    const groups = rows.map((row) => ({ label: rowName(row), values: row }));
    return el("section", { attrs: { "aria-label": title } }, [
      el("div", { className: "bar" }, [el("h1", { className: "grow", text: title }), el("span", { className: "muted", text: period })]),
      rows.length ? chart(groups, series, title) : el("p", { className: "muted", text: "Nothing in this period." }),
      table(
        [
          { key: "name", label: data.kind === "account" ? "Period" : KINDS[data.kind] || data.kind },
          { key: "conversations", label: "Conversations", num: true },
          { key: "resolved", label: "Resolved", num: true },
          { key: "first_response", label: "First response" },
          { key: "resolution_time", label: "Resolution" },
          { key: "reply_time", label: "Reply" },
        ],
        rows.map((row) => Object.assign({}, row, { name: rowName(row) })),
      ),
    ]);
  }

  function queue(data) {
    const title = "Queue now" + (data.team ? " · team " + UI.plain(data.team) : "");
    const series = [
      { key: "open", label: "Open" },
      { key: "unattended", label: "Unattended" },
      { key: "unassigned", label: "Unassigned" },
    ];
    const totals = { label: "All", values: data };
    const groups = (data.groups || []).map((g) => ({ label: g.id === undefined || g.id === null ? "(none)" : UI.plain(g.name || String(g.id)), values: g }));
    const figures = el("div", { className: "bar" }, [
      ...series.map((s) => el("span", { className: "pill", text: s.label + " " + (data[s.key] || 0) })),
      data.pending !== undefined && data.pending !== null ? el("span", { className: "pill pending", text: "Pending " + data.pending }) : null,
    ]);
    return el("section", { attrs: { "aria-label": title } }, [
      el("div", { className: "bar" }, [el("h1", { className: "grow", text: title })]),
      figures,
      chart(groups.length ? groups : [totals], series, title),
      groups.length
        ? table(
            [{ key: "who", label: "Who" }, ...series.map((s) => ({ key: s.key, label: s.label, num: true }))],
            groups.map((g) => Object.assign({}, g.values, { who: g.label })),
          )
        : null,
    ]);
  }

  function render(result) {
    try {
      const data = UI.data(result);
      UI.show(Array.isArray(data.rows) ? report(data) : queue(data));
    } catch (error) {
      UI.failed(error);
    }
  }

  function boot() {
    Bridge.on("ui/notifications/tool-result", render);
    Bridge.on("ui/notifications/tool-cancelled", (params) => UI.failed(new Error("The tool call was cancelled" + (params.reason ? ": " + params.reason : "."))));
    UI.loading("Waiting for the report…");
    Bridge.start({ name: "chatwoot-report", version: "1" }).catch(UI.failed);
  }

  return { boot };
})();
