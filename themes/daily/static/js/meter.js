/* daily — the optional reader meter.
   Counts the distinct articles this browser has opened, in localStorage only (nothing is
   sent anywhere), and shows a courtesy notice: "You've read N of M free articles.
   Subscribe to continue." The notice sits in the page flow: it never covers or hides the
   article. The page only loads this script when site.yaml sets extra.meter.free_articles;
   without JavaScript or storage the notice simply stays hidden. */
(function () {
  "use strict";

  var box = document.querySelector(".meter[data-free][data-article]");
  if (!box) {
    return;
  }
  var free = parseInt(box.getAttribute("data-free"), 10);
  var article = box.getAttribute("data-article");
  if (!(free > 0) || !article) {
    return;
  }
  // One list per site: several sites may share an origin under different paths.
  var key = "masthead-meter:" + (box.getAttribute("data-site") || "/");
  // Past `free` articles the notice no longer changes, so the list stays short.
  var keep = Math.max(free, 100);

  var read;
  try {
    read = JSON.parse(window.localStorage.getItem(key) || "[]");
    if (!Array.isArray(read)) {
      read = [];
    }
    read = read.filter(function (url) { return typeof url === "string"; });
    if (read.indexOf(article) === -1) {
      read.push(article);
      window.localStorage.setItem(key, JSON.stringify(read.slice(-keep)));
    }
  } catch (e) {
    return; // storage blocked or full: no notice rather than a wrong one
  }

  var count = Math.min(read.length, free);
  var text = document.createElement("p");
  text.className = "meter-text";
  text.textContent = "You\u2019ve read " + count + " of " + free + " free article" + (free === 1 ? "" : "s") + ". ";

  var subscribe = box.getAttribute("data-subscribe") || "";
  var action;
  if (/^(https?:\/\/|\/)/i.test(subscribe)) {
    action = document.createElement("a");
    action.href = subscribe;
  } else {
    action = document.createElement("span");
  }
  action.className = "meter-action";
  action.textContent = "Subscribe to continue.";
  text.appendChild(action);

  box.textContent = "";
  box.appendChild(text);
  box.hidden = false;
}());
