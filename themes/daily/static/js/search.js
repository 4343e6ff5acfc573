// The search page (templates/search.html): runs the query in `?q=` on load, keeps the URL in
// step as the reader types (replaceState) or submits (pushState, so Back returns to the last
// query), and lists the results. The index is one Pagefind bundle per edition year
// (pagefind/YYYY/), newest first: the newest is the primary, the others are merged into it.
// "Newest first" walks the years from the newest and asks each for its matches sorted by
// date (Pagefind sorts within one bundle only); "best match" ranks every bundle's matches
// together. Nothing is loaded from outside the site.
const root = document.querySelector("[data-search]");
if (root) {
  const PAGE = 10;
  const form = root.querySelector("form");
  const field = (name) => form.elements.namedItem(name);
  const status = root.querySelector(".search-status");
  const list = root.querySelector(".search-results");
  const more = root.querySelector(".search-more");
  const bundles = root.dataset.bundles.split(" ").filter(Boolean);
  let engine = null;
  let shown = PAGE;
  let run = 0;

  const load = () => {
    if (!engine) {
      engine = import(`${root.dataset.pagefind}pagefind.js`).then(async (pagefind) => {
        // The index holds each article's URL as the site links it (with the base_url's
        // path): `baseUrl: "/"` keeps Pagefind from adding that path again.
        const instance = pagefind.createInstance({ basePath: bundles[0], baseUrl: "/", excerptLength: 24 });
        await Promise.all(bundles.slice(1).map((b) => instance.mergeIndex(b, { baseUrl: "/" })));
        return instance;
      });
    }
    return engine;
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

  // The matches, in the chosen order: at least `want` of them when there are that many.
  const find = async (pagefind, q, filters, sort, want) => {
    if (sort === "best") {
      return { results: (await pagefind.search(q, { filters })).results, total: null };
    }
    const first = await pagefind.search(q, { filters });
    const total = first.results.length;
    // The years to walk, newest first (the year filter's options), a few at a time.
    const years = filters.year ? [filters.year] : [...field("year").options].map((o) => o.value).filter(Boolean);
    const results = [];
    for (let i = 0; i < years.length && results.length < Math.min(want, total); i += 4) {
      const batch = await Promise.all(
        years.slice(i, i + 4).map((year) => pagefind.search(q, { filters: { ...filters, year }, sort: { date: "desc" } })),
      );
      for (const r of batch) results.push(...r.results);
    }
    return { results, total };
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
    const total = found.total ?? found.results.length;
    list.replaceChildren(...page.map(item));
    status.textContent = total ? `${total} result${total === 1 ? "" : "s"} for “${q}”` : `Nothing found for “${q}”`;
    more.hidden = total <= shown;
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
