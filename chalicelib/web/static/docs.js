/* /v1/docs: renders the API reference from this app's own /v1/openapi.json (no CDN, no
   inline script). Every string from the document becomes a text node, never HTML. */
"use strict";
(function () {
  var base = document.documentElement.getAttribute("data-base") || "";
  var doc = null;
  /* HTTP's own reason phrases; what a code means here is the document's description
     (api/openapi.py ERROR_TEXT for errors, the route's summary for success) */
  var STATUS = {
    200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
    413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
    503: "Service Unavailable"
  };

  function el(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (kid) {
      if (kid === null || kid === undefined) return;
      node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return node;
  }
  function refName(ref) { return ref.split("/").pop(); }
  function resolve(s) { return s && s.$ref ? doc.components.schemas[refName(s.$ref)] || {} : s || {}; }
  function anchor(name) { return "schema-" + name; }

  function typeOf(s) {
    if (!s) return el("span", {}, ["any"]);
    if (s.$ref) {
      var name = refName(s.$ref);
      return el("a", { href: "#" + anchor(name) }, [name]);
    }
    var alts = s.anyOf || s.oneOf;
    if (alts) {
      var span = el("span");
      alts.forEach(function (a, i) { if (i) span.appendChild(document.createTextNode(" | ")); span.appendChild(typeOf(a)); });
      return span;
    }
    if (s.type === "array") return el("span", {}, [typeOf(s.items), "[]"]);
    if (s.enum) return el("span", {}, ["enum"]);
    return el("span", {}, [s.type || "object"]);
  }

  function notes(s) {
    var out = [];
    (s.anyOf || []).forEach(function (a) { if (a.type !== "null") out = out.concat(notes(resolve(a))); });
    if (s.description) out.push(s.description);
    if (s.enum) out.push("可选 one of: " + s.enum.join("、"));
    if (s.minLength !== undefined || s.maxLength !== undefined)
      out.push("长度 length " + (s.minLength || 0) + "–" + (s.maxLength === undefined ? "∞" : s.maxLength));
    if (s.minimum !== undefined || s.exclusiveMinimum !== undefined || s.maximum !== undefined)
      out.push("范围 range " + (s.minimum !== undefined ? "≥" + s.minimum : s.exclusiveMinimum !== undefined ? ">" + s.exclusiveMinimum : "") +
        (s.maximum !== undefined ? " ≤" + s.maximum : ""));
    if (s.maxItems !== undefined) out.push("最多 at most " + s.maxItems + " 项 items");
    if (s.pattern) out.push("格式 pattern " + s.pattern);
    if (s["default"] !== undefined && s["default"] !== null) out.push("默认 default " + JSON.stringify(s["default"]));
    return out;
  }

  function fieldTable(schema) {
    var s = resolve(schema);
    if (s.oneOf) {
      var box = el("div", {}, [el("p", { "class": "muted" }, [s.description || "其一 one of:"])]);
      s.oneOf.forEach(function (v) {
        box.appendChild(el("div", { "class": "variant" }, [el("h4", {}, [typeOf(v)]), fieldTable(v)]));
      });
      return box;
    }
    if (s.enum) return el("p", {}, ["可选 one of: " + s.enum.join("、")]);
    var props = s.properties || {};
    var required = s.required || [];
    var rows = Object.keys(props).map(function (name) {
      var p = props[name];
      var needed = required.indexOf(name) >= 0 ? el("span", { "class": "req" }, [" 必填 required"]) : null;
      var text = p.$ref ? notes(resolve(p)).filter(function (n) { return n.indexOf("可选") === 0; }) : notes(p);
      return el("tr", {}, [
        el("td", {}, [el("code", {}, [name]), needed]),
        el("td", {}, [typeOf(p)]),
        el("td", {}, [text.join("；")])
      ]);
    });
    if (!rows.length) return el("p", { "class": "muted" }, ["（无字段 no fields）"]);
    return el("table", { "class": "fields" }, [
      el("thead", {}, [el("tr", {}, [el("th", {}, ["字段 Field"]), el("th", {}, ["类型 Type"]), el("th", {}, ["说明 Notes"])])]),
      el("tbody", {}, rows)
    ]);
  }

  function jsonSchema(content) { return content && content["application/json"] && content["application/json"].schema; }

  function operation(path, method, op) {
    var id = op.operationId || method + path;
    var card = el("section", { "class": "card op", id: id, "data-method": method.toUpperCase(), "data-path": path }, [
      el("h3", {}, [
        el("span", { "class": "method " + method }, [method.toUpperCase()]),
        el("code", { "class": "path" }, [path]),
        op.security ? el("span", { "class": "lock" }, ["需登录 Bearer token"]) : null
      ]),
      el("p", {}, [op.summary || ""])
    ]);
    if (op.parameters && op.parameters.length) {
      card.appendChild(el("h4", {}, ["参数 Parameters"]));
      card.appendChild(el("table", { "class": "fields" }, [el("tbody", {}, op.parameters.map(function (p) {
        return el("tr", {}, [
          el("td", {}, [el("code", {}, [p.name]), p.required ? el("span", { "class": "req" }, [" 必填 required"]) : null]),
          el("td", {}, [p["in"]]),
          el("td", {}, [p.description || ""])
        ]);
      }))]));
    }
    var body = op.requestBody && jsonSchema(op.requestBody.content);
    if (body) {
      card.appendChild(el("h4", {}, ["请求体 Request body ", typeOf(body)]));
      card.appendChild(fieldTable(body));
    }
    card.appendChild(el("h4", {}, ["响应 Responses"]));
    var list = el("table", { "class": "fields" }, [el("tbody", {}, Object.keys(op.responses || {}).map(function (code) {
      var r = op.responses[code];
      var schema = jsonSchema(r.content);
      return el("tr", {}, [
        el("td", {}, [el("code", {}, [code])]),
        el("td", {}, [STATUS[code] || "", " — ", r.description || ""]),
        el("td", {}, [schema ? typeOf(schema) : ""])
      ]);
    }))]);
    card.appendChild(list);
    return card;
  }

  function render() {
    var app = document.getElementById("app");
    app.textContent = "";
    var ops = [];
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) { ops.push([path, method, doc.paths[path][method]]); });
    });
    var intro = el("section", { "class": "card" }, [
      el("h2", {}, [(doc.info && doc.info.title) || "API", " ", (doc.info && doc.info.version) || ""]),
      el("p", {}, ["所有接口在 /v1/ 下，请求与响应均为 JSON；需登录的接口在 Authorization 头带 Bearer 令牌。",
        " Every endpoint is under /v1/ and speaks JSON; protected ones take a Bearer token."]),
      el("p", {}, ["错误统一为 Errors always look like ",
        el("code", {}, ['{"error": {"code", "message", "fields": {"字段": "原因"}}}']),
        "：400 时 fields 列出每个有误的字段（嵌套字段如 location.lat、photos[0]）。",
        " A 400 names every bad field in `fields`."]),
      el("nav", { "class": "toc", id: "toc" }, ops.map(function (o) {
        return el("a", { href: "#" + (o[2].operationId || o[1] + o[0]) }, [o[1].toUpperCase() + " " + o[0]]);
      }))
    ]);
    app.appendChild(intro);
    app.appendChild(el("h2", {}, ["接口 Endpoints"]));
    ops.forEach(function (o) { app.appendChild(operation(o[0], o[1], o[2])); });
    app.appendChild(el("h2", {}, ["数据结构 Schemas"]));
    Object.keys(doc.components.schemas).sort().forEach(function (name) {
      app.appendChild(el("section", { "class": "card", id: anchor(name) }, [
        el("h3", {}, [name]), fieldTable({ $ref: "#/components/schemas/" + name })
      ]));
    });
    if (location.hash) {
      var target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  fetch(base + "/v1/openapi.json", { credentials: "omit", referrerPolicy: "no-referrer" })
    .then(function (res) { if (!res.ok) throw new Error("HTTP " + res.status); return res.json(); })
    .then(function (data) { doc = data; render(); document.body.setAttribute("data-ready", "1"); })
    .catch(function (err) {
      var app = document.getElementById("app");
      app.textContent = "";
      app.appendChild(el("p", { "class": "error" }, ["文档加载失败 Could not load the document: " + err.message]));
    });
})();
