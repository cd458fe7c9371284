/* The queue: a page of conversations as a sortable table, paged through app_queue_page; a row opens the
   conversation in the same frame (conversation.js), with a way back. */
"use strict";
const Queue = (() => {
  const SOURCES = ["list_conversations", "filter_conversations", "search_conversations"];
  const PRIORITY = { urgent: 4, high: 3, medium: 2, low: 1 };
  const { el } = UI;
  let source = "list_conversations";
  let args = {};
  let page = null;
  let sort = { key: null, descending: false };
  let message = "";

  function waited(c) {
    const time = Date.parse(c.waiting_since || "");
    return Number.isNaN(time) ? -1 : Date.now() - time;
  }

  const COLUMNS = [
    { key: "id", label: "#", num: true, value: (c) => c.id, cell: (c) => el("button", { className: "link", text: "#" + c.id, attrs: { "aria-label": "Open conversation " + c.id } }) },
    { key: "contact", label: "Customer", value: (c) => UI.plain(c.contact).toLowerCase(), cell: contact },
    { key: "status", label: "Status", value: (c) => c.status || "", cell: (c) => el("span", { className: "pill " + (c.status || ""), text: c.status || "—" }) },
    { key: "priority", label: "Priority", value: (c) => PRIORITY[c.priority] || 0, cell: (c) => (c.priority ? el("span", { className: "pill " + c.priority, text: c.priority }) : el("span", { className: "muted", text: "none" })) },
    { key: "assignee", label: "Assignee / team", value: (c) => (UI.plain(c.assignee) + " " + UI.plain(c.team)).toLowerCase(), cell: assignee },
    { key: "labels", label: "Labels", value: (c) => (c.labels || []).join(","), cell: (c) => el("span", {}, (c.labels || []).map((l) => el("span", { className: "pill", text: l }))) },
    { key: "waiting", label: "Waiting", num: true, value: waited, cell: (c) => el("span", { text: c.waiting_since ? UI.since(c.waiting_since) : "—", title: c.waiting_since ? "Waiting since " + UI.when(c.waiting_since) : "" }) },
    { key: "last_message", label: "Last message", fill: true, value: (c) => UI.plain(c.last_message).toLowerCase(), cell: (c) => el("div", { className: "snippet" }, [UI.marked(c.last_message || "")]) },
  ];

  /** The name in the customer's style without the badge: the column says whose it is, and the row stays short. */
  function contact(c) {
    if (!UI.isCustomer(c.contact)) return UI.marked(c.contact || "—");
    return el("span", { title: "The customer's name, as they gave it" }, [UI.customer(UI.plain(c.contact), false)]);
  }

  function assignee(c) {
    const parts = el("span");
    parts.append(c.assignee ? UI.marked(c.assignee) : el("span", { className: "muted", text: "unassigned" }));
    if (c.team) parts.append(document.createTextNode(" · "), UI.marked(c.team));
    return parts;
  }

  /** The rows of a page: list/filter pages carry `conversations`; search pages carry `results`, each with the
      messages that matched (the first one stands in for the last message). */
  function rows() {
    if (Array.isArray(page.conversations)) return page.conversations;
    return (page.results || []).map((hit) => ({
      id: hit.id,
      contact: hit.contact,
      team: hit.inbox,
      labels: [],
      last_message: hit.matches && hit.matches.length ? hit.matches[0].snippet : null,
    }));
  }

  function sorted() {
    const rows_ = rows().slice();
    if (!sort.key) return rows_;
    const column = COLUMNS.find((col) => col.key === sort.key);
    rows_.sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sort.descending ? -order : order;
    });
    return rows_;
  }

  function cellClass(column) {
    return [column.num ? "num nowrap" : "", column.fill ? "fill" : ""].join(" ").trim();
  }

  function header() {
    const row = el("tr");
    for (const column of COLUMNS) {
      const th = el("th", { className: cellClass(column), attrs: { scope: "col" } });
      if (sort.key === column.key) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      th.append(el("button", { className: "sort", text: column.label, onClick: () => {
        sort = { key: column.key, descending: sort.key === column.key ? !sort.descending : false };
        render();
      } }));
      row.append(th);
    }
    return el("thead", {}, [row]);
  }

  function body() {
    const tbody = el("tbody");
    for (const c of sorted()) {
      const row = el("tr", { className: "row", attrs: { "data-id": String(Number(c.id)) } });
      for (const column of COLUMNS) row.append(el("td", { className: cellClass(column) }, [column.cell(c)]));
      row.addEventListener("click", () => openConversation(c.id));
      tbody.append(row);
    }
    return tbody;
  }

  function render() {
    const shown = rows().length;
    const status = el("div");
    const previous = el("button", { text: "‹ Previous", onClick: () => go(page.page - 1) });
    previous.disabled = !(page.page > 1);
    const next = el("button", { text: "Next ›", onClick: () => go(page.next_page) });
    next.disabled = !page.next_page;
    const screen = el("section", { attrs: { "aria-label": "Conversation queue" } }, [
      el("div", { className: "bar" }, [
        el("h1", { className: "grow", text: "Conversations" }),
        el("span", { className: "muted", text: "page " + page.page + " · " + shown + (typeof page.total === "number" ? " of " + page.total : " shown") }),
        previous,
        next,
      ]),
      status,
      shown
        ? el("div", { className: "scroll-x" }, [el("table", {}, [header(), body()])])
        : el("p", { className: "muted", text: "No conversations match." }),
    ]);
    if (message) UI.notice(status, message, "error");
    UI.show(screen);
  }

  async function go(number) {
    if (!number) return;
    try {
      const next = await UI.call("app_queue_page", { source, arguments: args, page: number });
      page = next;
      message = "";
    } catch (error) {
      message = "Could not read page " + number + ": " + error.message;
    }
    render();
  }

  function openConversation(id) {
    Conversation.open(id, "", { back: render, backLabel: "‹ Queue" });
  }

  function boot() {
    Bridge.on("ui/notifications/tool-input", (params) => {
      args = (params && params.arguments) || {};
    });
    Bridge.on("ui/notifications/tool-result", (result) => {
      const tool = Bridge.context.toolInfo && Bridge.context.toolInfo.tool;
      if (tool && SOURCES.includes(tool.name)) source = tool.name;
      try {
        page = UI.data(result);
        render();
      } catch (error) {
        UI.failed(error);
      }
    });
    Bridge.on("ui/notifications/tool-cancelled", (params) => UI.failed(new Error("The tool call was cancelled" + (params.reason ? ": " + params.reason : "."))));
    UI.loading("Waiting for the conversations…");
    Bridge.start({ name: "chatwoot-queue", version: "1" }).catch(UI.failed);
  }

  return { boot };
})();
