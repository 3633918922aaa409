// The search page (templates/search.html): queries the site's index in the browser, no server.
// The index is made of Pagefind bundles, one per year of items or per part of a year of many
// (relais/search.py), listed newest first in shards.json: the newest is Pagefind's instance,
// the others are merged into it (they share its WebAssembly; their results and filter counts
// add up). The page's words come from the theme's catalogue, through the form's data-*
// attributes.
const form = document.getElementById("search");
const noScript = document.getElementById("search-nojs");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const input = document.getElementById("search-q");
const selects = Array.from(form.querySelectorAll("select[data-filter]"));
const words = form.dataset;
const PAGE = 20;
let search = null;
let found = [];
let shown = 0;
let asked = 0;

function say(message) {
  status.textContent = message;
}

function count(n) {
  const form = new Intl.PluralRules(words.lang).select(n) === "one" ? words.one : words.other;
  return form.replace("{n}", n.toLocaleString(words.lang));
}

async function open() {
  const index = new URL(words.index, location.href);
  const response = await fetch(new URL("shards.json", index), { cache: "no-cache" });
  if (!response.ok) {
    throw new Error(`shards.json: HTTP ${response.status}`);
  }
  const { shards } = await response.json();
  if (!shards.length) {
    return null;
  }
  const first = new URL(`${shards[0]}/`, index);
  const pagefind = await import(new URL("pagefind.js", first).href);
  const instance = pagefind.createInstance({
    basePath: first.href,
    baseUrl: new URL(words.site, location.href).pathname,
  });
  await instance.init();
  await Promise.all(
    shards.slice(1).map((year) => instance.mergeIndex(new URL(`${year}/`, index).href)),
  );
  return instance;
}

function fillFilters(filters) {
  for (const select of selects) {
    const values = Object.keys(filters[select.dataset.filter] || {});
    const years = select.dataset.filter === "class_year";
    values.sort((a, b) => (years ? b.localeCompare(a) : a.localeCompare(b, words.lang)));
    for (const value of values) {
      select.append(new Option(value, value));
    }
  }
}

function chosenFilters() {
  const filters = {};
  for (const select of selects) {
    if (select.value) {
      filters[select.dataset.filter] = select.value;
    }
  }
  return filters;
}

function textOf(html) {
  return new DOMParser().parseFromString(html || "", "text/html").body.textContent;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "search-result";
  const section = document.createElement("p");
  section.className = "card-section";
  section.textContent = data.meta.section || "";
  const title = document.createElement("h2");
  title.className = "search-result-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  title.append(link);
  const standfirst = document.createElement("p");
  standfirst.className = "search-result-standfirst";
  standfirst.textContent = data.meta.standfirst || textOf(data.excerpt);
  item.append(section, title, standfirst);
  return item;
}

async function showMore(request) {
  const batch = found.slice(shown, shown + PAGE);
  const data = await Promise.all(batch.map((result) => result.data()));
  if (request !== asked) {
    return;
  }
  for (const entry of data) {
    list.append(resultItem(entry));
  }
  shown += batch.length;
  more.hidden = shown >= found.length;
}

// Pagefind looks for a word that a bundle does not hold by ever shorter beginnings of it
// ("astrolabe" finds the pages with "à" of a bundle without the word), bundle by bundle: with
// the index in shards, a word found in one shard would bring such pages from all the others.
// The pages that hold each word itself (a quoted search: the word and its inflections, never
// a shorter beginning) are therefore kept when there are any; a query that matches no whole
// word (the beginning of a word being typed) keeps Pagefind's results as they are.
async function wholeWords(term, filters) {
  const terms = term.split(/\s+/).map((w) => w.replaceAll('"', "")).filter(Boolean);
  const responses = await Promise.all(terms.map((w) => search.search(`"${w}"`, { filters })));
  let ids = null;
  for (const response of responses) {
    const these = new Set(response.results.map((result) => result.id));
    ids = ids === null ? these : new Set([...ids].filter((id) => these.has(id)));
  }
  return ids || new Set();
}

async function run() {
  const request = ++asked;
  const term = input.value.trim();
  const filters = chosenFilters();
  const url = new URL(location.href);
  for (const [name, value] of [["q", term], ...selects.map((s) => [s.name, s.value])]) {
    if (value) {
      url.searchParams.set(name, value);
    } else {
      url.searchParams.delete(name);
    }
  }
  history.replaceState(null, "", url);
  if (!term && !Object.keys(filters).length) {
    list.replaceChildren();
    more.hidden = true;
    say("");
    return;
  }
  const response = await search.search(term || null, { filters });
  const whole = term ? await wholeWords(term, filters) : new Set();
  if (request !== asked) {
    return;
  }
  found = whole.size ? response.results.filter((r) => whole.has(r.id)) : response.results;
  shown = 0;
  list.replaceChildren();
  say(found.length ? count(found.length) : words.none);
  await showMore(request);
}

async function start() {
  form.hidden = false;
  noScript.hidden = true;
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  try {
    search = await open();
  } catch (error) {
    console.error(error);
    say(words.failed);
    noScript.hidden = false;
    return;
  }
  if (!search) {
    say(words.empty);
    return;
  }
  fillFilters(await search.filters());
  for (const select of selects) {
    select.value = params.get(select.name) || "";
    select.addEventListener("change", run);
  }
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    run();
  });
  more.addEventListener("click", () => showMore(asked));
  form.dataset.ready = "true";
  await run();
}

start();
