// The search page (templates/search.html): runs the query in `?q=` on load, keeps the URL in
// step as the reader types (replaceState) or submits (pushState, so Back returns to the last
// query), and lists the results. The index is one Pagefind bundle per edition year
// (pagefind/YYYY/), or per part of a year that holds more articles than one bundle may
// (pagefind/YYYY-h2/ …), newest first: the newest is the primary, the others are merged
// into it as they are needed. "Newest first" walks the years from the newest, merging each year's
// bundle when it gets there, and asks it for its matches sorted by date (Pagefind sorts
// within one bundle only), until a page is full; "best match" merges every bundle and ranks
// their matches together. Nothing is loaded from outside the site.
const root = document.querySelector("[data-search]");
if (root) {
  const PAGE = 10;
  const form = root.querySelector("form");
  const field = (name) => form.elements.namedItem(name);
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".search-results");
  const more = root.querySelector(".search-more");
  const bundles = root.dataset.bundles.split(" ").filter(Boolean);
  // The edition year of each bundle (several bundles for a year split into parts); a page
  // from a template without the list has one bundle per year, as the year filter lists.
  const bundleYears = root.dataset.bundleYears
    ? root.dataset.bundleYears.split(" ").filter(Boolean)
    : [...field("year").options].map((o) => o.value).filter(Boolean);
  let engine = null;
  let shown = PAGE;
  let run = 0;

  // The newest bundle is loaded first; the others are merged in only when a search needs
  // them, so a query that the newest years answer moves only those years' files.
  let merged = 0;
  let merging = Promise.resolve();
  const load = () => {
    if (!engine) {
      engine = import(`${root.dataset.pagefind}pagefind.js`).then((pagefind) => {
        merged = 1;
        merging = Promise.resolve();
        // The index holds each article's URL as the site links it (with the base_url's
        // path): `baseUrl: "/"` keeps Pagefind from adding that path again.
        return pagefind.createInstance({ basePath: bundles[0], baseUrl: "/", excerptLength: 24 });
      });
    }
    return engine;
  };
  // Merges bundles until the first `n` (newest first) are in.
  const mergeUpTo = (pagefind, n) => {
    merging = merging.then(async () => {
      while (merged < Math.min(n, bundles.length)) {
        await pagefind.mergeIndex(bundles[merged], { baseUrl: "/" });
        merged += 1;
      }
    });
    return merging;
  };

  const fromUrl = () => {
    const params = new URLSearchParams(location.search);
    for (const name of ["q", "section", "author", "year", "sort"]) {
      const input = field(name);
      const value = params.get(name) || "";
      if (input.tagName === "SELECT") {
        if ([...input.options].some((o) => o.value === value)) input.value = value;
        else input.selectedIndex = 0;
      } else {
        input.value = value;
      }
    }
  };

  const toUrl = (push) => {
    const params = new URLSearchParams();
    for (const name of ["q", "section", "author", "year", "sort"]) {
      const value = field(name).value.trim();
      if (value && !(name === "sort" && value === "newest")) params.set(name, value);
    }
    const query = params.toString();
    const url = `${location.pathname}${query ? `?${query}` : ""}`;
    if (url !== `${location.pathname}${location.search}`) {
      history[push ? "pushState" : "replaceState"](null, "", url);
    }
  };

  // The bundles' years, newest first, and how many bundles must be merged to hold every
  // article of a year (its parts are next to each other in `bundles`).
  const years = [...new Set(bundleYears)];
  const upToYear = (year) => bundleYears.lastIndexOf(year) + 1;

  // The matches in the chosen order, at least `want` of them when there are that many, and
  // whether that is all of them.
  const find = async (pagefind, q, filters, sort, want) => {
    if (sort === "best") {
      await mergeUpTo(pagefind, filters.year ? upToYear(filters.year) : bundles.length);
      return { results: (await pagefind.search(q, { filters })).results, all: true };
    }
    const walk = filters.year ? [filters.year] : years;
    const results = [];
    let i = 0;
    for (; i < walk.length && results.length < want; i += 1) {
      await mergeUpTo(pagefind, upToYear(walk[i]));
      const r = await pagefind.search(q, { filters: { ...filters, year: walk[i] }, sort: { date: "desc" } });
      results.push(...r.results);
    }
    return { results, all: i >= walk.length };
  };

  const item = (data) => {
    const li = document.createElement("li");
    li.className = "search-result";
    const h = document.createElement("h2");
    const a = document.createElement("a");
    a.href = data.url;
    a.textContent = data.meta.title || data.url;
    h.append(a);
    const meta = document.createElement("p");
    meta.className = "search-meta";
    meta.textContent = [data.meta.date, data.meta.section].filter(Boolean).join(" · ");
    const excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    // Pagefind's excerpt is the page's text, escaped, with the matched words in <mark>.
    excerpt.innerHTML = data.excerpt;
    li.append(h, meta, excerpt);
    return li;
  };

  const search = async () => {
    const mine = ++run;
    const q = field("q").value.trim();
    if (!q) {
      list.replaceChildren();
      status.textContent = "";
      more.hidden = true;
      root.dataset.state = "idle";
      return;
    }
    root.dataset.state = "searching";
    if (!bundles.length) {
      status.textContent = "There is nothing to search yet.";
      root.dataset.state = "done";
      return;
    }
    const filters = {};
    for (const name of ["section", "author", "year"]) {
      if (field(name).value) filters[name] = field(name).value;
    }
    let found;
    try {
      found = await find(await load(), q, filters, field("sort").value, shown);
    } catch (error) {
      // The index is not there (yet): a preview server builds it after the pages.
      engine = null;
      if (mine !== run) return;
      list.replaceChildren();
      status.textContent = "Search is not available right now; try again in a moment.";
      more.hidden = true;
      root.dataset.state = "done";
      return;
    }
    if (mine !== run) return;
    const page = await Promise.all(found.results.slice(0, shown).map((r) => r.data()));
    if (mine !== run) return;
    const total = found.results.length;
    list.replaceChildren(...page.map(item));
    if (!total) status.textContent = `Nothing found for “${q}”`;
    else if (found.all) status.textContent = `${total} result${total === 1 ? "" : "s"} for “${q}”`;
    else status.textContent = `The newest ${page.length} results for “${q}”`;
    more.hidden = found.all && total <= shown;
    root.dataset.state = "done";
  };

  let timer = null;
  field("q").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      shown = PAGE;
      toUrl(false);
      search();
    }, 250);
  });
  for (const name of ["section", "author", "year", "sort"]) {
    field(name).addEventListener("change", () => {
      shown = PAGE;
      toUrl(true);
      search();
    });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    shown = PAGE;
    toUrl(true);
    search();
  });
  more.querySelector("button").addEventListener("click", () => {
    shown += PAGE;
    search();
  });
  window.addEventListener("popstate", () => {
    fromUrl();
    shown = PAGE;
    search();
  });
  fromUrl();
  if (field("q").value.trim()) search();
  else root.dataset.state = "idle";
}
