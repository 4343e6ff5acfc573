#!/usr/bin/env python3
"""Deterministic corpus generator for the masthead benchmark (SPEC §8).

    python3 bench/gen.py --editions 2000 --per-edition 5 --out bench/work/corpus-10k

writes two sites holding the same articles:

    OUT/masthead/   site.yaml + content/YYYY-MM-DD/<slug>.md
    OUT/hugo/       hugo.toml + content/posts/YYYY-MM-DD-<slug>.md + layouts/ doing the
                    same work as masthead's built-in "daily" theme
    OUT/corpus.json what was generated (counts, words, dates, generator version)

(`--no-hugo` leaves the Hugo copy out.) Articles are written as they are made, never held,
so the generator's memory does not grow with the corpus (200,000 editions × 5 is fine).

Editions are consecutive days from 2000-01-01. Every article is drawn from its own
random stream seeded by (SEED, edition date, position), so a smaller corpus is exactly the
first editions of a bigger one. Python 3.11, standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sys

SEED = 20300101
GENERATOR_VERSION = 3
START = dt.date(2000, 1, 1)
SITE_TITLE = "Bench Courier"
BASE_URL = "https://bench.example.com/"

# ---------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------

FIRST = """Ada Adrian Alma Amir Ana Anders Aroha Beatriz Ben Bianca Carmen Cedric Chidi Clara
Dalia Daniel Dmitri Edith Elena Emeka Farah Felix Fiona Gideon Greta Hana Hector Ines Isaac
Jamal Jana Jonah Julia Kai Kamala Kenji Lars Leila Lena Luis Maeve Malik Marta Mateo Mei Nadia
Nils Noor Olga Omar Paloma Pavel Priya Quentin Rafael Rosa Ruth Samir Sofia Tariq Tess Theo
Ursula Viktor Wanda Wei Yara Yusuf Zofia""".split()
LAST = """Abara Alvarez Baptiste Bergstrom Castellanos Chen Costa Dunmore Eriksen Feld Fontaine
Garber Haddad Halloran Ibsen Iwasaki Jaramillo Kowalski Lindgren Lopez Marsh Mbeki Moreau
Nakamura Novak Okafor Oyelaran Park Petrov Quist Ramirez Rasmussen Sato Schultz Silva
Soderberg Tanaka Tremaine Usman Valdez Varga Whitaker Wojcik Yamamoto Zeller Achterberg
Brandt Cruz Delacroix Ekwueme Farrow Gallagher Holm Ionescu""".split()

PLACE_A = "Ash Birch Cold Dun East Fair Glen Hart Iron King Lark Marsh North Oak Pine Red Salt Stone West Wil".split()
PLACE_B = "ford haven field ton bridge wood port dale brook mouth".split()

SECTIONS = ["World", "Nation", "Local", "Politics", "Business", "Science", "Sports",
            "Culture", "Commentary", "Weather"]
SECTION_WEIGHTS = [14, 12, 18, 12, 11, 7, 10, 8, 5, 3]

TOPICS = """economy river housing transit elections schools budget ferry harbor bridges
libraries taxes wages energy climate drought flooding wildfire agriculture fisheries trade
shipping tourism healthcare hospitals nursing vaccines courts policing prisons immigration
zoning rents unions strikes manufacturing mining forestry startups banking inflation
interest-rates pensions retirement broadband satellites space astronomy archaeology museums
theater music festivals cinema literature poetry architecture parks wildlife birds oceans
glaciers storms snow heat-wave air-quality water-supply recycling waste railways airports
highways cycling pedestrians ports diplomacy treaties sanctions refugees election-law
referendums parliament city-council school-board governor mayor senate census
demographics universities research vaccine-trials genetics robotics artificial-intelligence
cybersecurity privacy journalism press-freedom books sports-finance football basketball
baseball rowing athletics swimming tennis cricket rugby cycling-races chess marathons
olympics youth-sports stadiums restaurants food-prices farmers-markets bakeries wine coffee
small-business retail real-estate construction shipyards steel textiles fashion design
history anniversaries obituaries letters opinion editorials volunteers charities churches
winter-festivals elderly-care child-care public-health mental-health addiction water-rights
fire-service ambulances emergency-planning earthquakes volcanoes tides lighthouses
canals dams hydropower solar-power wind-farms nuclear-power electric-cars buses trams
regional-ferries night-trains telecoms postal-service labor-market jobs layoffs
minimum-wage housing-permits homelessness tenants landlords property-tax sales-tax
tariffs exports imports currency stock-market bonds venture-capital""".split()

ORGS = ["the city council", "the school board", "the port authority", "the state assembly",
        "the transit agency", "the regional hospital", "the planning commission",
        "the water board", "the chamber of commerce", "the teachers' union",
        "the harbor commission", "the county court", "the fire department",
        "the parks department", "the environmental agency", "the central bank",
        "the finance ministry", "the university", "the public library",
        "the weather service", "the housing authority", "the farmers' cooperative",
        "the rail operator", "the ferry company", "the museum trustees",
        "the health department", "the electoral commission", "the tourism office",
        "the shipyard workers", "the tenants' association"]

ROLES = ["a spokeswoman for", "a spokesman for", "the chair of", "a member of",
         "the director of", "an economist advising", "a lawyer representing",
         "the treasurer of", "a longtime critic of", "the deputy head of",
         "a researcher working with", "the newly appointed head of"]

OBJECTS = ["a revised spending plan", "the proposed fare increase", "a new set of rules",
           "the long-delayed bridge repairs", "an emergency loan", "the draft budget",
           "a three-year contract", "the flood defenses", "the night-time ferry crossings",
           "a pilot program for electric buses", "the zoning changes", "a tax rebate",
           "the harbor dredging project", "a shorter school day", "the new stadium lease",
           "the rent stabilization measure", "a wider bicycle lane", "the hospital merger",
           "an audit of the pension fund", "the relief package", "a public inquiry",
           "the reservoir expansion", "the tourist levy", "a ban on single-use plastics",
           "the library's extended hours", "the wage agreement", "a record harvest",
           "the wildfire response plan", "the satellite launch", "the museum's new wing"]

VERBS_PAST = ["approved", "rejected", "postponed", "announced", "defended", "questioned",
              "unveiled", "revised", "endorsed", "criticized", "delayed", "funded",
              "challenged", "welcomed", "scaled back", "expanded", "reviewed", "signed"]
VERBS_PRESENT = ["approves", "rejects", "delays", "weighs", "backs", "revives", "scraps",
                 "expands", "questions", "unveils", "defends", "trims", "doubles", "rethinks"]

TIME_PHRASES = ["on Tuesday", "late on Monday", "this week", "after a four-hour session",
                "earlier this month", "on Friday evening", "last year", "in a narrow vote",
                "after months of debate", "for the second time this year",
                "before the spring thaw", "ahead of the holiday weekend",
                "during a crowded public hearing", "on Wednesday morning",
                "at its annual meeting", "over the objections of several residents"]

EVENTS = ["the storm that closed the harbor", "a sharp rise in fuel prices",
          "complaints from commuters", "the collapse of earlier talks",
          "a critical report from auditors", "a week of heavy rain",
          "record attendance at the festival", "the closure of the paper mill",
          "an unexpected surplus", "a series of late-night meetings",
          "the resignation of the finance chief", "a petition signed by thousands",
          "a court ruling in March", "the warmest winter on record",
          "the arrival of two new container ships", "a power outage across the valley"]

ADJ = ["modest", "sweeping", "contested", "overdue", "ambitious", "temporary", "costly",
       "cautious", "unusual", "popular", "quiet", "controversial", "historic", "narrow",
       "fragile", "promising", "expensive", "surprising", "bipartisan", "provisional"]

NOUNS = ["residents", "commuters", "shop owners", "farmers", "teachers", "nurses",
         "students", "fishermen", "retirees", "landlords", "tenants", "parents",
         "bus drivers", "volunteers", "engineers", "scientists", "voters", "officials",
         "tourists", "young families"]

FEELINGS = ["frustrated", "relieved", "skeptical", "hopeful", "divided", "worried",
            "encouraged", "unconvinced", "cautiously optimistic", "angry"]

QUOTES = ["We have waited long enough for this", "Nobody expected the numbers to move this fast",
          "It is a start, but it is not a solution", "The river does not care about our budget",
          "People here want a straight answer", "We will be back next month with better data",
          "This is what the town asked for", "I have never seen a meeting like it",
          "The details matter more than the headline", "We cannot keep borrowing against the future",
          "Every season the water comes a little higher", "It took a lot of patience to get here",
          "Our members are tired of being told to wait", "The costs are real and so are the benefits",
          "You cannot run a ferry on promises", "We did the math three different ways"]

SOURCES = ["figures released by the statistics office", "a survey by the local university",
           "the agency's own annual report", "documents obtained by this newspaper",
           "data from the weather service", "estimates from the chamber of commerce",
           "an analysis by independent auditors", "records kept by the harbor master"]

AGENCIES = ["Courier staff", "Valley Press Agency", "Northern Wire", "Harbor Photo Co-op",
            "Reuters-style Wire", "Coastal Images", "Metro Desk", "Independent Photographers Guild"]

PHOTO_SUBJECTS = ["the harbor at dawn", "a crowded council chamber", "commuters waiting for a ferry",
                  "a flooded street near the river", "students leaving the old school building",
                  "a market stall piled with apples", "workers on the bridge scaffolding",
                  "a quiet reading room in the library", "the stadium lit up at night",
                  "a tugboat pushing a barge upriver", "snow on the town square",
                  "a rally outside the courthouse", "fishing boats tied up in the marina",
                  "a bakery's ovens before sunrise", "wind turbines on the ridge",
                  "a crowd at the summer festival"]

SUBHEADS = ["What happens next", "The numbers", "A long road", "Who pays", "Reaction",
            "Background", "What residents say", "The debate", "Looking ahead", "By the numbers",
            "A closer look", "The other side", "How we got here", "What changes"]

WORD_RE = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return WORD_RE.sub("-", text.lower()).strip("-")


def build_places() -> list[str]:
    rng = random.Random(SEED)
    places = sorted({a + b for a in PLACE_A for b in PLACE_B})
    rng.shuffle(places)
    return places[:60]


PLACES = build_places()


def build_tags() -> list[str]:
    """~200 tags: topics plus a few dozen places."""
    tags = [t.replace("-", " ") for t in TOPICS]
    seen: set[str] = set()
    out = []
    for t in tags + PLACES:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out[:200]


TAGS = build_tags()
# Zipf-like popularity, so a few tags have many pages and most have a handful.
TAG_WEIGHTS = [1.0 / (i + 1) ** 0.8 for i in range(len(TAGS))]
TAG_CUM = []
_acc = 0.0
for _w in TAG_WEIGHTS:
    _acc += _w
    TAG_CUM.append(_acc)


def build_authors() -> list[str]:
    rng = random.Random(SEED + 1)
    names = set()
    while len(names) < 150:
        names.add(f"{rng.choice(FIRST)} {rng.choice(LAST)}")
    out = sorted(names)
    rng.shuffle(out)
    return out


AUTHORS = build_authors()
AUTHOR_CUM = []
_acc = 0.0
for _i in range(len(AUTHORS)):
    _acc += 1.0 / (_i + 1) ** 0.5
    AUTHOR_CUM.append(_acc)

# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------


class Writer:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.c = rng.choice
        self.place = rng.choice(PLACES)
        self.people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(4)]
        self.org = rng.choice(ORGS)
        self.obj = rng.choice(OBJECTS)

    def person(self) -> str:
        return self.c(self.people)

    def money(self) -> str:
        if self.r.random() < 0.6:
            return f"${self.r.randint(1, 950)}.{self.r.randint(0, 9)} million"
        return f"${self.r.randint(12, 990):,},000"

    def count(self, noun: str) -> str:
        return f"{self.r.randint(12, 9800):,} {noun}"

    def pct(self) -> str:
        return f"{self.r.randint(2, 98)} percent"

    def number(self) -> str:
        return self.money() if self.r.random() < 0.5 else self.pct()

    def clause(self) -> str:
        c = self.c
        k = self.r.randrange(8)
        if k == 0:
            return f"{c(ORGS)} {c(VERBS_PAST)} {c(OBJECTS)} {c(TIME_PHRASES)}"
        if k == 1:
            return f"{c(NOUNS)} in {self.place} were {c(FEELINGS)} about {self.obj}"
        if k == 2:
            return f"the {c(ADJ)} plan would cost about {self.money()} over {c(['two', 'three', 'five', 'ten'])} years"
        if k == 3:
            return f"{self.org} {c(VERBS_PAST)} {c(OBJECTS)} after {c(EVENTS)}"
        if k == 4:
            n = c(NOUNS)
            return f"the number of {n} affected rose to {self.count(n)}, according to {c(SOURCES)}"
        if k == 5:
            return f"{c(NOUNS)} from {c(PLACES)} and {c(PLACES)} filled the hall {c(TIME_PHRASES)}"
        if k == 6:
            return f"the {c(ADJ)} decision follows {c(EVENTS)}"
        return f"critics said {self.obj} was {c(ADJ)} and arrived too late for many {c(NOUNS)}"

    def sentence(self) -> str:
        c = self.c
        k = self.r.randrange(10)
        if k <= 2:
            s = self.clause()
            return s[0].upper() + s[1:] + "."
        if k == 3:
            return f"\"{c(QUOTES)},\" said {self.person()}, {c(ROLES)} {c(ORGS)}."
        if k == 4:
            return f"{self.person()}, {c(ROLES)} {self.org}, said {self.clause()}."
        if k == 5:
            t = c(TIME_PHRASES)
            return f"{t[0].upper() + t[1:]}, {self.clause()}."
        if k == 6:
            s = self.clause()
            return f"{s[0].upper() + s[1:]}, and {self.clause()}."
        if k == 7:
            return f"In {self.place}, where {c(NOUNS)} have long complained about {c(TOPICS).replace('-', ' ')}, {self.clause()}."
        if k == 8:
            s = self.clause()
            return f"{s[0].upper() + s[1:]}; {self.person()} called it \"{c(ADJ)} but necessary.\""
        f = self.money if self.r.random() < 0.5 else self.pct
        return f"The figure was {f()}, {c(['up', 'down'])} from {f()} {c(['a year earlier', 'in the spring', 'before the pandemic', 'a decade ago'])}."

    def paragraph(self, n: int) -> str:
        return " ".join(self.sentence() for _ in range(n))

    def headline(self) -> str:
        c = self.c
        k = self.r.randrange(6)
        o = self.obj
        if k == 0:
            h = f"{self.org} {c(VERBS_PRESENT)} {o}"
        elif k == 1:
            h = f"{self.place} {c(NOUNS)} {c(['brace for', 'push back on', 'cheer', 'split over', 'wait on'])} {o}"
        elif k == 2:
            h = f"{c(ADJ)} vote on {o} after {c(EVENTS)}"
        elif k == 3:
            h = f"In {self.place}, {o} meets {c(['resistance', 'applause', 'a deadline', 'a new test', 'its critics'])}"
        elif k == 4:
            h = f"{self.org} {c(VERBS_PRESENT)} {o} as {c(EVENTS)} bites"
        else:
            h = f"{c(QUOTES)}: {c(NOUNS)} on {o}"
        return h[0].upper() + h[1:]

    def body(self, target_words: int = 750) -> str:
        r = self.r
        blocks: list[str] = []
        words = 0
        heads = r.sample(SUBHEADS, 2)
        head_at = {r.randint(3, 5)} | ({r.randint(7, 10)} if r.random() < 0.6 else set())
        list_at = r.randint(4, 9) if r.random() < 0.35 else -1
        quote_at = r.randint(2, 8) if r.random() < 0.3 else -1
        i = 0
        while words < target_words:
            if i in head_at and heads:
                blocks.append("## " + heads.pop())
            if i == list_at:
                items = [self.clause() for _ in range(r.randint(3, 5))]
                blocks.append("\n".join(f"- {it[0].upper() + it[1:]}." for it in items))
                words += sum(len(it.split()) for it in items)
            if i == quote_at:
                q = f"> {self.c(QUOTES)}. {self.paragraph(1)}\n>\n> — {self.person()}"
                blocks.append(q)
                words += len(q.split())
            p = self.paragraph(r.randint(2, 5))
            if r.random() < 0.15:
                p = p.replace(self.place, f"**{self.place}**", 1)
            if r.random() < 0.1:
                p += f" The full report is [available online](https://data.example.org/reports/{r.randint(1000, 99999)})."
            blocks.append(wrap(p))
            words += len(p.split())
            i += 1
        return "\n\n".join(blocks) + "\n"


def wrap(text: str, width: int = 100) -> str:
    """Greedy hard wrap at spaces (what textwrap.fill does here, several times faster)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return "\n".join(lines)


def pick_cum(r: random.Random, items: list[str], cum: list[float]) -> str:
    x = r.random() * cum[-1]
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return items[lo]


def make_article(date: dt.date, pos: int) -> dict:
    r = random.Random(f"{SEED}/{date.isoformat()}/{pos}")
    w = Writer(r)
    title = w.headline()
    section = r.choices(SECTIONS, SECTION_WEIGHTS)[0]
    ntags = r.choice([2, 2, 3, 3, 3, 4, 5])
    tags: list[str] = []
    while len(tags) < ntags:
        t = pick_cum(r, TAGS, TAG_CUM)
        if t not in tags:
            tags.append(t)
    authors = [pick_cum(r, AUTHORS, AUTHOR_CUM)]
    if r.random() < 0.15:
        a2 = pick_cum(r, AUTHORS, AUTHOR_CUM)
        if a2 != authors[0]:
            authors.append(a2)
    summary = w.sentence()
    subject = r.choice(PHOTO_SUBJECTS)
    photo = {
        "src": f"https://images.example.com/photos/{r.randint(1, 999999)}.jpg",
        "alt": subject[0].upper() + subject[1:],
        "credit": f"{r.choice(FIRST)} {r.choice(LAST)} / {r.choice(AGENCIES)}",
        "caption": f"{subject[0].upper() + subject[1:]} in {w.place}, {r.choice(TIME_PHRASES)}.",
    }
    body = w.body()
    return {"title": title, "section": section, "tags": tags, "authors": authors,
            "summary": summary, "photo": photo, "body": body, "order": pos}


def q(s: str) -> str:
    """A YAML 1.2 double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def qlist(xs: list[str]) -> str:
    return "[" + ", ".join(q(x) for x in xs) + "]"


def masthead_md(a: dict) -> str:
    author = q(a["authors"][0]) if len(a["authors"]) == 1 else qlist(a["authors"])
    p = a["photo"]
    return (
        "---\n"
        f"title: {q(a['title'])}\n"
        f"author: {author}\n"
        f"section: {a['section']}\n"
        f"tags: {qlist(a['tags'])}\n"
        f"summary: {q(a['summary'])}\n"
        "photo:\n"
        f"  src: {p['src']}\n"
        f"  alt: {q(p['alt'])}\n"
        f"  credit: {q(p['credit'])}\n"
        f"  caption: {q(p['caption'])}\n"
        f"order: {a['order']}\n"
        "---\n" + a["body"]
    )


def hugo_md(a: dict, date: dt.date, slug: str) -> str:
    p = a["photo"]
    d = date.isoformat()
    # Hugo 0.111 has no `params:` front-matter key (0.123+); custom keys live at top level
    # and are read as .Params.photo.src etc.
    return (
        "---\n"
        f"title: {q(a['title'])}\n"
        f"date: {d}T06:00:00Z\n"
        f"slug: {q(slug)}\n"
        f"summary: {q(a['summary'])}\n"
        f"tags: {qlist(a['tags'])}\n"
        f"categories: {qlist([a['section']])}\n"
        f"authors: {qlist(a['authors'])}\n"
        f"editions: [\"{d}\"]\n"
        f"editions_weight: {a['order']}\n"
        f"archive: [\"{date.year}\"]\n"
        f"order: {a['order']}\n"
        "photo:\n"
        f"  src: {p['src']}\n"
        f"  alt: {q(p['alt'])}\n"
        f"  credit: {q(p['credit'])}\n"
        f"  caption: {q(p['caption'])}\n"
        "---\n" + a["body"]
    )


# ---------------------------------------------------------------------------------------
# Hugo site skeleton: templates doing the work of masthead's built-in "daily" theme
# ---------------------------------------------------------------------------------------

HUGO_CONFIG = f"""\
baseURL = "{BASE_URL}"
title = "{SITE_TITLE}"
languageCode = "en"
# Hugo 0.111 (Debian bookworm) spelling; newer Hugo calls these pagination.pagerSize etc.
paginate = 20
rssLimit = 50
buildFuture = true
enableRobotsTXT = true
disableHugoGeneratorInject = true

[taxonomies]
  tag = "tags"
  category = "categories"
  author = "authors"
  edition = "editions"
  year = "archive"

[permalinks]
  posts = "/:year/:month/:day/:slug/"

# masthead writes one Atom + one JSON feed for the site and one feed per section, but no
# per-tag, per-author or per-edition feeds: Hugo's RSS stays on for the home page and for
# the sections (content/categories/*/_index.md turn it on), the JSON feed is index.json.
[outputs]
  home = ["HTML", "RSS", "JSON"]
  section = ["HTML"]
  taxonomy = ["HTML"]
  term = ["HTML"]

[markup.goldmark.extensions]
  typographer = true
  table = true
  footnote = true
  strikethrough = true
  taskList = true

[params]
  publication = "{SITE_TITLE}"
  description = "A generated benchmark corpus of daily editions."
"""

T_BASEOF = """\
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
{{- $title := cond .IsHome site.Title (printf "%s — %s" .Title site.Title) }}
<title>{{ $title }}</title>
{{ with .Description | default .Params.summary | default site.Params.description }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:title" content="{{ $title }}">
<meta property="og:type" content="{{ if .IsPage }}article{{ else }}website{{ end }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta property="og:site_name" content="{{ site.Title }}">
{{ with .Params.photo }}<meta property="og:image" content="{{ .src }}">
<meta name="twitter:card" content="summary_large_image">{{ else }}<meta name="twitter:card" content="summary">{{ end }}
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }}" href="{{ "index.xml" | relURL }}">
<link rel="alternate" type="application/feed+json" title="{{ site.Title }}" href="{{ "index.json" | relURL }}">
<link rel="stylesheet" href="{{ "css/daily.css" | relURL }}">
{{ block "head" . }}{{ end }}
</head>
<body class="page-{{ .Kind }}">
<a class="skip-link" href="#main">Skip to main content</a>
<header class="masthead">
<p class="nameplate"><a href="{{ "/" | relURL }}">{{ site.Title }}</a></p>
{{ if .IsPage }}<p class="dateline"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 02, 2006" }}</time></p>{{ end }}
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
<nav aria-label="Site">
<ul>
<li><a href="{{ "/" | relURL }}">Front page</a></li>
<li><a href="{{ "archive/" | relURL }}">Archive</a></li>
<li><a href="{{ "index.xml" | relURL }}">Feed</a></li>
</ul>
</nav>
<p>{{ site.Title }} — {{ site.Params.description }}</p>
</footer>
</body>
</html>
"""

T_BANNER = """\
{{- $d := .Date -}}
<p class="edition-banner">This article appeared in the {{ $d.Format "January 02, 2006" }} edition of the {{ site.Params.publication }}. <a href="{{ printf "editions/%s/" ($d.Format "2006-01-02") | relURL }}">Read {{ $d.Format "01/02" }} edition</a></p>
"""


# dict: photo, lead (bool), caption (bool), class
T_FIGURE = """\
{{- $p := .photo -}}
<figure class="photo {{ .class }}">
<img src="{{ $p.src }}" alt="{{ $p.alt }}"{{ if not .lead }} loading="lazy"{{ end }}>
{{ if or (and .caption $p.caption) $p.credit }}<figcaption>{{ if and .caption $p.caption }}<span class="caption">{{ $p.caption }}</span> {{ end }}{{ with $p.credit }}<span class="credit">{{ . }}</span>{{ end }}</figcaption>
{{ end }}</figure>
"""

# dict: page, level, lead
T_CARD = """\
{{- $c := .page -}}
<article class="card{{ if .lead }} card-lead{{ end }}">
{{ with $c.Params.photo }}{{ partial "figure.html" (dict "photo" . "lead" $.lead "caption" $.lead "class" "card-photo") }}{{ end }}
<div class="card-text">
{{ with $c.Params.categories }}<p class="kicker">{{ index . 0 }}</p>
{{ end }}<h{{ .level }} class="card-title"><a href="{{ $c.RelPermalink }}">{{ $c.Title }}</a></h{{ .level }}>
{{ with $c.Params.summary }}<p class="dek">{{ . }}</p>
{{ end }}<p class="byline">{{ with $c.Params.authors }}By {{ delimit . ", " " and " }}{{ end }}</p>
</div>
</article>
"""

T_SINGLE = """\
{{ define "head" }}
<meta property="article:published_time" content="{{ .Date.Format "2006-01-02" }}">
{{ with .Params.categories }}<meta property="article:section" content="{{ index . 0 }}">{{ end }}
{{ range .Params.tags }}<meta property="article:tag" content="{{ . }}">
{{ end }}
{{- $authors := slice -}}
{{- range .Params.authors }}{{ $authors = $authors | append (dict "@type" "Person" "name" .) }}{{ end -}}
{{- $ld := dict "@context" "https://schema.org" "@type" "NewsArticle" "headline" .Title "datePublished" (.Date.Format "2006-01-02") "dateModified" (.Lastmod.Format "2006-01-02") "description" .Params.summary "author" $authors "mainEntityOfPage" .Permalink "publisher" (dict "@type" "Organization" "name" site.Title) -}}
{{- with .Params.photo }}{{ $ld = merge $ld (dict "image" (dict "@type" "ImageObject" "url" .src "caption" .caption "creditText" .credit)) }}{{ end -}}
<script type="application/ld+json">{{ $ld | jsonify | safeJS }}</script>
{{ end }}
{{ define "main" }}
{{ $banner := partial "edition-banner.html" . }}
<article class="story">
{{ $banner }}
<header class="story-head">
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="dek">{{ . }}</p>
{{ end }}<p class="byline"><span class="authors">{{ with .Params.authors }}By {{ delimit . ", " " and " }}{{ end }}</span> <span class="sep" aria-hidden="true">·</span> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 02, 2006" }}</time></p>
<div class="story-meta">
{{ with .Params.categories }}<p class="section-name">{{ index . 0 }}</p>
{{ end }}{{ with .Params.tags }}<ul class="tags" aria-label="Tags">
{{ range . }}<li>{{ . }}</li>
{{ end }}</ul>
{{ end }}</div>
</header>
{{ with .Params.photo }}{{ partial "figure.html" (dict "photo" . "lead" true "caption" true "class" "lead-photo") }}{{ end }}
<div class="article-body">
{{ .Content }}
</div>
{{- /* previous and next article of the same edition; the edition's WeightedPages are in
        `editions_weight` (= order) order. Hugo's .Next is the entry before, .Prev the one after. */ -}}
{{ $prev := false }}{{ $next := false }}
{{ with index site.Taxonomies.editions (.Date.Format "2006-01-02") }}{{ $prev = .Next $ }}{{ $next = .Prev $ }}{{ end }}
{{ if or $prev $next }}<nav class="pager" aria-label="More from this edition">
<ul>
{{ with $prev }}<li class="pager-prev"><a href="{{ .RelPermalink }}" rel="prev"><span class="pager-label">← Previous article</span> <span class="pager-title">{{ .Title }}</span></a></li>
{{ end }}{{ with $next }}<li class="pager-next"><a href="{{ .RelPermalink }}" rel="next"><span class="pager-label">Next article →</span> <span class="pager-title">{{ .Title }}</span></a></li>
{{ end }}</ul>
</nav>
{{ end }}
{{ $banner }}
</article>
{{ end }}
"""

T_INDEX = """\
{{ define "main" }}
{{ $eds := site.Taxonomies.editions.Alphabetical.Reverse }}
{{ with index $eds 0 }}
{{ $d := time .Name }}
<section class="front" aria-labelledby="edition-title">
<header class="edition-head">
<p class="kicker">Latest edition · <time datetime="{{ .Name }}">{{ $d.Format "January 02, 2006" }}</time></p>
<h1 id="edition-title"><a href="{{ .Page.RelPermalink }}">{{ site.Params.publication }} — {{ $d.Format "January 02, 2006" }}</a></h1>
</header>
{{ $arts := first 5 .Pages }}
{{ range first 1 $arts }}{{ partial "card.html" (dict "page" . "level" 2 "lead" true) }}{{ end }}
<section class="more-stories" aria-labelledby="more-title">
<h2 id="more-title" class="section-rule">More in this edition</h2>
<div class="cards">
{{ range after 1 $arts }}{{ partial "card.html" (dict "page" . "level" 3 "lead" false) }}{{ end }}
</div>
</section>
<p class="read-edition"><a href="{{ .Page.RelPermalink }}">Read the full {{ $d.Format "01/02" }} edition ({{ .Count }} articles)</a></p>
</section>
{{ end }}
<section class="recent" aria-labelledby="recent-title">
<h2 id="recent-title" class="section-rule">Earlier editions</h2>
<ul class="edition-list">
{{ range first 7 (after 1 $eds) }}{{ $d := time .Name }}<li><a href="{{ .Page.RelPermalink }}"><time datetime="{{ .Name }}">{{ $d.Format "January 02, 2006" }}</time> <span class="edition-list-title">{{ site.Params.publication }} — {{ $d.Format "January 02, 2006" }}</span></a></li>
{{ end }}</ul>
</section>
{{ end }}
"""

T_INDEX_JSON = """\
{{- $items := slice -}}
{{- range first 50 site.RegularPages -}}
{{- $item := dict "id" .Permalink "url" .Permalink "title" .Title "summary" .Params.summary "content_html" .Content "date_published" (.Date.Format "2006-01-02T15:04:05Z07:00") "authors" (apply .Params.authors "dict" "name" ".") "tags" .Params.tags -}}
{{- with .Params.photo }}{{ $item = merge $item (dict "image" .src) }}{{ end -}}
{{- $items = $items | append $item -}}
{{- end -}}
{{- dict "version" "https://jsonfeed.org/version/1.1" "title" site.Title "home_page_url" site.BaseURL "feed_url" ("index.json" | absURL) "items" $items | jsonify -}}
"""

# Editions: one taxonomy term per day (`editions: ["2000-01-01"]`), its page = edition page.
T_EDITION_TERM = """\
{{ define "main" }}
{{ $d := time .Data.Term }}
<article class="edition">
<header class="edition-head">
<p class="kicker">Edition of <time datetime="{{ .Data.Term }}">{{ $d.Format "January 02, 2006" }}</time></p>
<h1>{{ site.Params.publication }} — {{ $d.Format "January 02, 2006" }}</h1>
<p class="edition-count">{{ len .Pages }} articles</p>
</header>
<ol class="story-list">
{{ range .Pages }}<li>{{ partial "card.html" (dict "page" . "level" 2 "lead" false) }}</li>
{{ end }}</ol>
{{- /* The corpus has an edition every day, so the neighbours are a map lookup away. */ -}}
{{ $pk := ($d.AddDate 0 0 -1).Format "2006-01-02" }}{{ $nk := ($d.AddDate 0 0 1).Format "2006-01-02" }}
{{ $prev := index site.Taxonomies.editions $pk }}{{ $next := index site.Taxonomies.editions $nk }}
{{ if or $prev $next }}<nav class="pager" aria-label="Other editions">
<ul>
{{ if $prev }}<li class="pager-prev"><a href="{{ printf "editions/%s/" $pk | relURL }}" rel="prev"><span class="pager-label">← Previous edition</span> <span class="pager-title">{{ ($d.AddDate 0 0 -1).Format "January 02, 2006" }}</span></a></li>
{{ end }}{{ if $next }}<li class="pager-next"><a href="{{ printf "editions/%s/" $nk | relURL }}" rel="next"><span class="pager-label">Next edition →</span> <span class="pager-title">{{ ($d.AddDate 0 0 1).Format "January 02, 2006" }}</span></a></li>
{{ end }}</ul>
</nav>
{{ end }}
</article>
{{ end }}
"""

# Archive: taxonomy "archive" (singular "year"): /archive/ lists every edition by month,
# /archive/YYYY/ the editions of one year.
T_ARCHIVE_INDEX = """\
{{ define "main" }}
<section class="archive" aria-labelledby="archive-title">
<header class="edition-head">
<p class="kicker">Archive</p>
<h1 id="archive-title">Every edition</h1>
<p class="edition-summary">Every edition of the {{ site.Params.publication }}, newest first.</p>
</header>
<nav class="archive-years" aria-label="Years">
<ul>
{{ range .Data.Terms.Alphabetical.Reverse }}<li><a href="{{ .Page.RelPermalink }}">{{ .Name }}</a></li>
{{ end }}</ul>
</nav>
{{ $month := "" }}
{{ range site.Taxonomies.editions.Alphabetical.Reverse }}
{{ $d := time .Name }}{{ $m := $d.Format "January 2006" }}
{{ if ne $m $month }}{{ if $month }}</ul>
</section>
{{ end }}{{ $month = $m }}<section class="archive-month">
<h2 class="section-rule">{{ $m }}</h2>
<ul class="edition-list">
{{ end }}<li><a href="{{ .Page.RelPermalink }}"><time datetime="{{ .Name }}">{{ $d.Format "January 02, 2006" }}</time> <span class="edition-list-title">{{ site.Params.publication }} — {{ $d.Format "January 02, 2006" }}</span></a> <span class="count">{{ .Count }} articles</span></li>
{{ end }}
{{ if $month }}</ul>
</section>{{ end }}
</section>
{{ end }}
"""

T_ARCHIVE_TERM = """\
{{ define "main" }}
<section class="archive" aria-labelledby="archive-title">
<header class="edition-head">
<p class="kicker"><a href="{{ "archive/" | relURL }}">Archive</a></p>
<h1 id="archive-title">Editions of {{ .Title }}</h1>
</header>
{{ range .Pages.GroupByDate "January 2006" }}
<section class="archive-month">
<h2 class="section-rule">{{ .Key }}</h2>
<ul class="edition-list">
{{ range .Pages.GroupByDate "2006-01-02" }}{{ $d := time .Key }}<li><a href="{{ printf "editions/%s/" .Key | relURL }}"><time datetime="{{ .Key }}">{{ $d.Format "January 02, 2006" }}</time> <span class="edition-list-title">{{ site.Params.publication }} — {{ $d.Format "January 02, 2006" }}</span></a> <span class="count">{{ len .Pages }} articles</span></li>
{{ end }}</ul>
</section>
{{ end }}
</section>
{{ end }}
"""

T_TAXONOMY = """\
{{ define "main" }}
<section class="taxonomy" aria-labelledby="taxonomy-title">
<header class="edition-head">
<h1 id="taxonomy-title">{{ .Title }}</h1>
</header>
<ul class="term-list">
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span class="count">({{ .Count }})</span></li>
{{ end }}</ul>
</section>
{{ end }}
"""

T_TERM = """\
{{ define "main" }}
{{ $pag := .Paginator }}
<section class="term" aria-labelledby="term-title">
<header class="edition-head">
<p class="kicker"><a href="{{ .Parent.RelPermalink }}">{{ .Data.Plural | title }}</a></p>
<h1 id="term-title">{{ .Title }}</h1>
<p class="edition-summary">{{ $pag.TotalNumberOfElements }} articles{{ if gt $pag.TotalPages 1 }} · page {{ $pag.PageNumber }} of {{ $pag.TotalPages }}{{ end }}</p>
</header>
<div class="cards">
{{ range $pag.Pages }}
<article class="card">
<div class="card-text">
<p class="kicker"><a href="{{ printf "editions/%s/" (.Date.Format "2006-01-02") | relURL }}"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 02, 2006" }}</time></a>{{ with .Params.categories }} · {{ index . 0 }}{{ end }}</p>
<h2 class="card-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{ with .Params.summary }}<p class="dek">{{ . }}</p>
{{ end }}<p class="byline">{{ with .Params.authors }}By {{ delimit . ", " " and " }}{{ end }}</p>
</div>
</article>
{{ end }}
</div>
{{ if gt $pag.TotalPages 1 }}
<nav class="pagination" aria-label="Pages">
{{ if $pag.HasPrev }}<a rel="prev" href="{{ $pag.Prev.URL }}">← Newer</a>{{ end }}
{{ if $pag.HasNext }}<a rel="next" href="{{ $pag.Next.URL }}">Older →</a>{{ end }}
</nav>
{{ end }}
</section>
{{ end }}
"""

# Generic list (the /posts/ section page): newest 20, not paginated.
T_LIST = """\
{{ define "main" }}
<section class="term">
<header class="edition-head"><h1>{{ .Title }}</h1></header>
<div class="cards">
{{ range first 20 .Pages }}{{ partial "card.html" (dict "page" . "level" 2 "lead" false) }}{{ end }}
</div>
</section>
{{ end }}
"""

T_404 = """\
{{ define "main" }}
<section class="not-found">
<h1>Page not found</h1>
<p>The page you asked for is not in the {{ site.Params.publication }}. Try the <a href="{{ "/" | relURL }}">front page</a> or the <a href="{{ "archive/" | relURL }}">archive</a>.</p>
</section>
{{ end }}
"""

CSS = """\
:root{--ink:#1b1b1b;--paper:#fffdf8;--rule:#d8d2c4;--accent:#8a1c1c}
@media (prefers-color-scheme:dark){:root{--ink:#ece8df;--paper:#161514;--rule:#3a3834;--accent:#e38b7a}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:46rem;padding:0 1rem;font:1.05rem/1.6 Georgia,"Times New Roman",serif;color:var(--ink);background:var(--paper)}
a{color:var(--accent)}
.skip-link{position:absolute;left:-999px}.skip-link:focus{left:1rem}
.masthead{text-align:center;border-bottom:3px double var(--rule);padding:1rem 0}
.nameplate{font-size:2.2rem;font-weight:bold;margin:0}.nameplate a{color:inherit;text-decoration:none}
.edition-banner{font-size:.9rem;border:1px solid var(--rule);padding:.4rem .6rem}
.dek{font-size:1.15rem;font-style:italic}
.byline{font-size:.9rem;color:#6b6457}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}
figcaption{font-size:.85rem}.credit{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em}
.section-rule{border-top:1px solid var(--rule);padding-top:.5rem}
.cards{display:grid;gap:1rem}
.pager ul,.edition-list,.term-list{list-style:none;padding:0}
.site-footer{border-top:1px solid var(--rule);margin-top:2rem;font-size:.85rem}
"""


def write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def hugo_skeleton(root: str) -> None:
    files = {
        "hugo.toml": HUGO_CONFIG,
        "layouts/_default/baseof.html": T_BASEOF,
        "layouts/_default/single.html": T_SINGLE,
        "layouts/_default/list.html": T_LIST,
        "layouts/_default/taxonomy.html": T_TAXONOMY,
        "layouts/_default/term.html": T_TERM,
        "layouts/editions/term.html": T_EDITION_TERM,
        "layouts/archive/taxonomy.html": T_ARCHIVE_INDEX,
        "layouts/archive/term.html": T_ARCHIVE_TERM,
        "layouts/index.html": T_INDEX,
        "layouts/index.json": T_INDEX_JSON,
        "layouts/404.html": T_404,
        "layouts/partials/edition-banner.html": T_BANNER,
        "layouts/partials/figure.html": T_FIGURE,
        "layouts/partials/card.html": T_CARD,
        "static/css/daily.css": CSS,
        "content/posts/_index.md": "---\ntitle: \"All articles\"\n---\n",
        "content/categories/_index.md": "---\ntitle: \"Sections\"\n---\n",
    }
    # One feed per section, as masthead writes sections/<s>/feed.xml.
    for s in SECTIONS:
        files[f"content/categories/{slugify(s)}/_index.md"] = (
            f"---\ntitle: {q(s)}\noutputs: [\"HTML\", \"RSS\"]\n---\n")
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write(path, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--editions", type=int, required=True)
    ap.add_argument("--per-edition", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-hugo", action="store_true",
                    help="write only the masthead site (a 1M corpus: 5.6 GB and 1M files less)")
    args = ap.parse_args(argv)
    if args.editions < 1 or args.per_edition < 1:
        ap.error("--editions and --per-edition must be positive")

    out = args.out
    mroot = os.path.join(out, "masthead")
    hroot = os.path.join(out, "hugo")
    # A Hugo copy left by an earlier run is removed too: it would not match this corpus.
    for d in (mroot, hroot):
        if os.path.exists(d):
            shutil.rmtree(d)
    os.makedirs(os.path.join(mroot, "content"))
    write(os.path.join(mroot, "site.yaml"),
          f"title: {q(SITE_TITLE)}\nbase_url: {BASE_URL}\n")
    hugo = not args.no_hugo
    if hugo:
        os.makedirs(os.path.join(hroot, "content", "posts"))
        hugo_skeleton(hroot)

    words = 0
    sizes = 0
    hposts = os.path.join(hroot, "content", "posts")
    for e in range(args.editions):
        date = START + dt.timedelta(days=e)
        d = date.isoformat()
        edir = os.path.join(mroot, "content", d)
        os.mkdir(edir)
        used: set[str] = set()
        for pos in range(1, args.per_edition + 1):
            a = make_article(date, pos)
            base = "-".join(slugify(a["title"]).split("-")[:7])
            slug, n = base, 2
            while slug in used:
                slug, n = f"{base}-{n}", n + 1
            used.add(slug)
            m = masthead_md(a)
            write(os.path.join(edir, slug + ".md"), m)
            if hugo:
                write(os.path.join(hposts, f"{d}-{slug}.md"), hugo_md(a, date, slug))
            words += len(a["body"].split())
            sizes += len(m.encode())
        if e and e % 2000 == 0:
            print(f"  … {e} editions", file=sys.stderr)

    last = START + dt.timedelta(days=args.editions - 1)
    meta = {
        "generator_version": GENERATOR_VERSION,
        "seed": SEED,
        "editions": args.editions,
        "per_edition": args.per_edition,
        "articles": args.editions * args.per_edition,
        "first_edition": START.isoformat(),
        "last_edition": last.isoformat(),
        "body_words": words,
        "avg_body_words": round(words / (args.editions * args.per_edition)),
        "masthead_markdown_bytes": sizes,
        "tags": len(TAGS),
        "authors": len(AUTHORS),
        "sections": len(SECTIONS),
        "hugo": hugo,
    }
    write(os.path.join(out, "corpus.json"), json.dumps(meta, indent=2) + "\n")
    print(f"generated {meta['articles']} articles in {args.editions} editions "
          f"({meta['avg_body_words']} words each on average) → {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
