/* The host bridge (MCP Apps 2026-01-26): JSON-RPC 2.0 over postMessage with the frame's parent.
   The view is a small MCP client of its host: it asks ui/initialize, says ui/notifications/initialized, receives the
   tool's input and result as notifications, and calls tools through the host (tools/call). It reads only messages
   from its parent window, and sends only to it. */
"use strict";
const Bridge = (() => {
  const PROTOCOL = "2026-01-26";
  const TIMEOUT_MS = 30000;
  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;
  let context = {};
  let capabilities = {};
  let lastSize = null;
  let teardown = null;

  function post(message) {
    // The parent's origin is not known to the view (hosts frame it from a sandbox origin of their own); the
    // target is the parent window itself, which is what postMessage delivers to.
    window.parent.postMessage(message, "*");
  }

  function request(method, params, timeoutMs) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        const error = new Error(method + ": the host did not answer in " + Math.round((timeoutMs || TIMEOUT_MS) / 1000) + " s");
        error.timeout = true;
        reject(error);
      }, timeoutMs || TIMEOUT_MS);
      pending.set(id, { resolve, reject, timer });
      post({ jsonrpc: "2.0", id, method, params: params || {} });
    });
  }

  function notify(method, params) {
    post({ jsonrpc: "2.0", method, params: params || {} });
  }

  function on(method, handler) {
    if (!listeners.has(method)) listeners.set(method, []);
    listeners.get(method).push(handler);
  }

  function emit(method, params) {
    for (const handler of listeners.get(method) || []) {
      try {
        handler(params || {});
      } catch (error) {
        reportError(error);
      }
    }
  }

  function reportError(error) {
    if (capabilities.logging) {
      notify("notifications/message", { level: "error", logger: "chatwoot-view", data: String(error && error.message || error) });
    }
  }

  function answer(id, result, error) {
    post(error ? { jsonrpc: "2.0", id, error } : { jsonrpc: "2.0", id, result });
  }

  function received(event) {
    if (event.source !== window.parent) return;
    const message = event.data;
    if (!message || typeof message !== "object" || message.jsonrpc !== "2.0") return;
    if (typeof message.method === "string") {
      if (message.id !== undefined && message.id !== null) {
        hostRequest(message);
      } else {
        if (message.method === "ui/notifications/host-context-changed") applyContext(message.params || {});
        emit(message.method, message.params);
      }
      return;
    }
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error) {
      const error = new Error(message.error.message || "the host refused");
      error.code = message.error.code;
      waiting.reject(error);
    } else {
      waiting.resolve(message.result || {});
    }
  }

  function hostRequest(message) {
    if (message.method === "ui/resource-teardown") {
      Promise.resolve(teardown ? teardown(message.params || {}) : null).then(
        () => answer(message.id, {}),
        (error) => answer(message.id, null, { code: -32000, message: "Teardown error: " + error.message }),
      );
    } else if (message.method === "ping") {
      answer(message.id, {});
    } else {
      answer(message.id, null, { code: -32601, message: "Method not found: " + message.method });
    }
  }

  const VARIABLE = /^--[a-z0-9-]+$/;

  function applyContext(update) {
    context = Object.assign({}, context, update);
    const root = document.documentElement;
    if (update.theme === "light" || update.theme === "dark") root.dataset.theme = update.theme;
    const variables = update.styles && update.styles.variables;
    if (variables && typeof variables === "object") {
      for (const [name, value] of Object.entries(variables)) {
        // setProperty takes one value of one custom property: it cannot add a rule or another property.
        if (VARIABLE.test(name) && typeof value === "string") root.style.setProperty(name, value);
      }
    }
    if (typeof update.displayMode === "string") root.dataset.displayMode = update.displayMode;
    const dims = update.containerDimensions;
    if (dims && typeof dims === "object") {
      root.style.height = typeof dims.height === "number" ? "100vh" : "";
      root.style.maxHeight = typeof dims.maxHeight === "number" ? dims.maxHeight + "px" : "";
      root.style.overflowY = typeof dims.height === "number" || typeof dims.maxHeight === "number" ? "auto" : "";
    }
    const insets = update.safeAreaInsets;
    if (insets && typeof insets === "object") {
      for (const side of ["top", "right", "bottom", "left"]) {
        if (typeof insets[side] === "number") document.body.style.setProperty("padding-" + side, 12 + insets[side] + "px");
      }
    }
  }

  function watchSize() {
    if (typeof ResizeObserver !== "function") return;
    let scheduled = false;
    const measure = () => {
      scheduled = false;
      const width = Math.ceil(document.documentElement.scrollWidth);
      const height = Math.ceil(document.documentElement.scrollHeight);
      if (lastSize && lastSize.width === width && lastSize.height === height) return;
      lastSize = { width, height };
      notify("ui/notifications/size-changed", lastSize);
    };
    const observer = new ResizeObserver(() => {
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(measure);
      }
    });
    observer.observe(document.documentElement);
    observer.observe(document.body);
  }

  window.addEventListener("message", received);

  return {
    /** Handshake: ui/initialize, the host's context applied, then ui/notifications/initialized. */
    async start(appInfo) {
      const result = await request("ui/initialize", {
        protocolVersion: PROTOCOL,
        appInfo,
        appCapabilities: { availableDisplayModes: ["inline"] },
      });
      capabilities = result.hostCapabilities || {};
      applyContext(result.hostContext || {});
      notify("ui/notifications/initialized", {});
      watchSize();
      return result;
    },
    on,
    request,
    notify,
    get context() {
      return context;
    },
    get capabilities() {
      return capabilities;
    },
    /** What the view does before the host removes it (answering ui/resource-teardown). */
    onTeardown(handler) {
      teardown = handler;
    },
    canOpenLinks() {
      return Boolean(capabilities.openLinks);
    },
    openLink(url) {
      return request("ui/open-link", { url });
    },
    /** tools/call through the host: the CallToolResult, or an Error (a timeout says `timeout`). */
    callTool(name, args, timeoutMs) {
      return request("tools/call", { name, arguments: args || {} }, timeoutMs);
    },
  };
})();
