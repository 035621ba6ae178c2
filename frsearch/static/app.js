"use strict";
// The search page. Its state lives in the address (/?q=…&offset=…&sort=…&filter=…),
// so back, forward and links work; each change asks /search for JSON and builds
// the results with DOM calls. Text from the index (titles, dates, sources, ids,
// metadata) goes in through textContent only. The one exception is a hit's
// snippet: HTML the library escaped itself, with the matched words in <mark>. It
// passes the "frsearch-snippet" Trusted Types policy, which refuses any other tag.

const PAGE_SIZE = 10;
const FACETS = ["date", "source"];

const $ = (id) => document.getElementById(id);

function onlyMarks(html) {
  if (html.replace(/<\/?mark>/g, "").includes("<")) {
    throw new TypeError("a snippet holds markup other than <mark>");
  }
  return html;
}

const snippetPolicy = window.trustedTypes && window.trustedTypes.createPolicy
  ? window.trustedTypes.createPolicy("frsearch-snippet", { createHTML: onlyMarks })
  : { createHTML: onlyMarks };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// ---- state <-> address -------------------------------------------------------

function stateFromAddress() {
  const params = new URLSearchParams(location.search);
  const offset = Number.parseInt(params.get("offset") || "0", 10);
  return {
    q: params.get("q") || "",
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
    sort: params.get("sort") || "relevance",
    filters: params.getAll("filter"),
    byArticle: params.get("by_article") === "1",
  };
}

function addressParams(state) {
  const params = new URLSearchParams();
  params.set("q", state.q);
  if (state.offset) params.set("offset", String(state.offset));
  if (state.sort !== "relevance") params.set("sort", state.sort);
  for (const filter of state.filters) params.append("filter", filter);
  if (state.byArticle) params.set("by_article", "1");
  return params;
}

function go(state) {
  history.pushState(null, "", "/?" + addressParams(state).toString());
  run(state);
}

// ---- asking the service -------------------------------------------------------

let pending = null;

async function run(state) {
  $("q").value = state.q;
  $("sort").value = state.sort;
  $("by-article").checked = state.byArticle;
  showFilters(state);
  if (!state.q.trim()) {
    clear();
    return;
  }
  document.title = state.q + " — frsearch";
  const params = addressParams(state);
  params.set("limit", String(PAGE_SIZE));
  params.set("facets", FACETS.join(","));
  if (pending) pending.abort();
  pending = new AbortController();
  $("status").textContent = "Searching…";
  let data;
  try {
    const response = await fetch("/search?" + params.toString(), { signal: pending.signal });
    data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
  } catch (error) {
    if (error.name === "AbortError") return;
    clear();
    $("status").textContent = "Error: " + error.message;
    $("status").className = "error";
    return;
  }
  show(state, data);
}

function clear() {
  for (const id of ["hits", "facets", "notes", "status"]) $(id).replaceChildren();
  $("status").className = "";
  $("pages").hidden = true;
}

// ---- showing the result ---------------------------------------------------------

function show(state, data) {
  clear();
  const byArticle = Array.isArray(data.articles);
  const items = byArticle ? data.articles : data.hits || [];
  const noun = (byArticle ? "article" : "result") + (data.total === 1 ? "" : "s");
  const first = items.length ? state.offset + 1 : 0;
  $("status").textContent = `${data.total} ${noun} for “${data.query}”` +
    (items.length ? `, showing ${first}–${state.offset + items.length}` : "");
  showNotes(state, data);
  $("hits").start = state.offset + 1;
  for (const item of items) $("hits").append(hitItem(item));
  showFacets(state, data.facets);
  showPages(state, data, items.length);
}

function showNotes(state, data) {
  const notes = $("notes");
  if (data.suggestion) {
    const button = element("button", "link", data.suggestion);
    button.type = "button";
    button.addEventListener("click", () => go({ ...state, q: data.suggestion, offset: 0 }));
    notes.append("Did you mean ", button, "? ");
  }
  for (const warning of data.warnings || []) {
    // the page asks for its facets on any index: one the index has no field for is no news
    if (FACETS.some((name) => warning.startsWith(`facet '${name}' was left out`))) continue;
    notes.append(element("span", "warning", warning));
  }
  for (const prefix of data.truncated_prefixes || []) {
    notes.append(element("span", "warning", `${prefix} starts too many words: only the commonest were searched.`));
  }
  if (data.timed_out) notes.append(element("span", "warning", "The search ran out of time: these are the passages found so far."));
}

function snippetNode(hit) {
  const node = element("p", "snippet");
  node.lang = "fr";
  try {
    node.innerHTML = snippetPolicy.createHTML(String(hit.snippet || ""));
  } catch (refused) {
    node.textContent = hit.text || "";
  }
  return node;
}

function safeLink(url) {
  try {
    const parsed = new URL(String(url));
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch (invalid) {
    return null;
  }
}

function hitItem(hit) {
  const item = element("li", "hit");
  const meta = hit.meta || {};
  const heading = element("h2", "title");
  heading.lang = "fr";
  const link = meta.url ? safeLink(meta.url) : null;
  const title = hit.title || hit.article_id;
  heading.title = title;
  if (link) {
    const anchor = element("a", null, title);
    anchor.href = link;
    anchor.rel = "noopener noreferrer";
    heading.append(anchor);
  } else {
    heading.textContent = title;
  }
  item.append(heading);

  const line = element("p", "meta");
  const parts = [];
  if (hit.date) parts.push(element("span", "date", hit.date));
  if (meta.source) parts.push(element("span", "source", meta.source));
  if (meta.author) parts.push(element("span", "author", meta.author));
  if (hit.heading) parts.push(element("span", "heading", hit.heading));
  const id = element("span", "id", hit.passage_id || hit.article_id);
  if (hit.source) id.title = hit.source;
  parts.push(id);
  if (typeof hit.matched === "number") {
    parts.push(element("span", "matched", `${hit.matched} passage${hit.matched === 1 ? "" : "s"} matched`));
  }
  if (typeof hit.score === "number") parts.push(element("span", "score", "score " + hit.score.toFixed(2)));
  parts.forEach((part, index) => line.append(...(index ? [" · ", part] : [part])));
  item.append(line);

  const passages = hit.passages || [hit];
  for (const passage of passages) item.append(snippetNode(passage));

  const copies = hit.duplicates || [];
  if (copies.length) {
    const also = element("p", "copies", "Also in: ");
    copies.forEach((copy, index) => {
      if (index) also.append(", ");
      also.append(element("span", "copy", copy.title || copy.article_id));
    });
    item.append(also);
  }
  return item;
}

function facetEntries(counts) {
  // [[value, count], …], as SearchResult.to_dict writes them
  return Array.isArray(counts) ? counts.map(([value, count]) => [String(value), Number(count)]) : [];
}

function showFacets(state, facets) {
  const aside = $("facets");
  for (const [field, counts] of Object.entries(facets || {})) {
    const entries = facetEntries(counts);
    if (!entries.length) continue;
    aside.append(element("h3", null, field));
    const list = element("ul", "facet");
    for (const [value, count] of entries) {
      const filter = `${field}:${value}`;
      const active = state.filters.includes(filter);
      const button = element("button", "facet-value");
      button.type = "button";
      button.title = active ? "Remove this filter" : `Only ${filter}`;
      button.append(element("span", "value", value), element("span", "count", count));
      if (active) button.classList.add("active");
      button.addEventListener("click", () => go({
        ...state,
        filters: active ? state.filters.filter((other) => other !== filter) : [...state.filters, filter],
        offset: 0,
      }));
      const item = element("li");
      item.append(button);
      list.append(item);
    }
    aside.append(list);
  }
}

function showFilters(state) {
  const list = $("filters");
  list.replaceChildren();
  for (const filter of state.filters) {
    const button = element("button", "chip", filter + " ×");
    button.type = "button";
    button.title = "Remove this filter";
    button.addEventListener("click", () =>
      go({ ...state, filters: state.filters.filter((other) => other !== filter), offset: 0 }));
    const item = element("li");
    item.append(button);
    list.append(item);
  }
}

function showPages(state, data, shown) {
  const more = shown === PAGE_SIZE && state.offset + shown < data.total;
  if (!state.offset && !more) return;
  $("pages").hidden = false;
  const pageNumber = Math.floor(state.offset / PAGE_SIZE) + 1;
  const pageCount = Math.max(pageNumber, Math.ceil(data.total / PAGE_SIZE));
  $("page").textContent = `Page ${pageNumber} of ${pageCount}`;
  $("previous").disabled = state.offset === 0;
  $("next").disabled = !more;
  $("previous").onclick = () => go({ ...state, offset: Math.max(0, state.offset - PAGE_SIZE) });
  $("next").onclick = () => go({ ...state, offset: state.offset + PAGE_SIZE });
}

// ---- wiring -------------------------------------------------------------------

$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  const state = stateFromAddress();
  go({
    ...state,
    q: $("q").value,
    sort: $("sort").value,
    byArticle: $("by-article").checked,
    offset: 0,
  });
});
for (const id of ["sort", "by-article"]) {
  $(id).addEventListener("change", () => {
    if ($("q").value.trim()) $("search").requestSubmit();
  });
}
window.addEventListener("popstate", () => run(stateFromAddress()));
run(stateFromAddress());
