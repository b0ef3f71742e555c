// tagscope dashboard: small progressive enhancements. Pages work without this file.
// Never inserts post text as HTML: only textContent.
"use strict";

function isoMinute(ms) {
  return new Date(ms).toISOString().slice(0, 16);
}

// Time-range brush: drag across a line chart to reload the page for that period.
function setupBrush(svg) {
  const left = Number(svg.dataset.left), right = Number(svg.dataset.right);
  const t0 = Number(svg.dataset.t0), t1 = Number(svg.dataset.t1);
  const box = svg.parentElement;
  box.classList.add("brush-ready");
  const band = document.createElement("div");
  band.className = "brush-band";
  box.appendChild(band);
  let start = null;
  const toView = (clientX) => {
    const r = svg.getBoundingClientRect();
    const vb = svg.viewBox.baseVal;
    return Math.min(right, Math.max(left, (clientX - r.left) * (vb.width / r.width)));
  };
  const toPx = (viewX) => {
    const r = svg.getBoundingClientRect();
    return (viewX * r.width) / svg.viewBox.baseVal.width + (r.left - box.getBoundingClientRect().left);
  };
  svg.addEventListener("mousedown", (e) => {
    start = toView(e.clientX);
    band.style.display = "block";
    band.style.left = toPx(start) + "px";
    band.style.width = "0px";
    e.preventDefault();
  });
  window.addEventListener("mousemove", (e) => {
    if (start === null) return;
    const x = toView(e.clientX);
    band.style.left = toPx(Math.min(start, x)) + "px";
    band.style.width = Math.abs(toPx(x) - toPx(start)) + "px";
  });
  window.addEventListener("mouseup", (e) => {
    if (start === null) return;
    const end = toView(e.clientX);
    const a = Math.min(start, end), b = Math.max(start, end);
    start = null;
    if (b - a < 4) { band.style.display = "none"; return; }
    const at = (x) => t0 + ((x - left) / (right - left)) * (t1 - t0);
    const url = new URL(window.location.href);
    url.searchParams.set("since", isoMinute(at(a)));
    url.searchParams.set("until", isoMinute(at(b) + 60000));
    window.location.assign(url.toString());
  });
}

// Live feed: poll /api/feed with the newest cursor and prepend what is new.
function setupFeed(status) {
  const list = document.getElementById("feed");
  let cursor = status.dataset.cursor || "";
  const tag = status.dataset.tag || "";
  let seen = 0;
  const poll = async () => {
    const url = new URL("/api/feed", window.location.origin);
    if (tag) url.searchParams.set("tag", tag);
    if (cursor) url.searchParams.set("after", cursor);
    try {
      const resp = await fetch(url, { credentials: "same-origin" });
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      const data = await resp.json();
      const posts = data.posts || [];
      const empty = list.querySelector(".empty-feed");
      if (posts.length && empty) empty.remove();
      for (const p of posts.slice().reverse()) list.prepend(feedItem(p));
      if (data.cursor) cursor = data.cursor;
      status.dataset.generation = data.generation;
      seen += posts.length;
      status.textContent = (seen ? seen + " new post" + (seen > 1 ? "s" : "") + " since you opened this page · " : "") +
        "checked at " + new Date().toLocaleTimeString() + "; updates by itself every few seconds.";
    } catch (err) {
      status.textContent = "Could not reach the dashboard (" + err.message + "); retrying.";
    }
  };
  setInterval(poll, 2000);
}

function feedItem(p) {
  const li = document.createElement("li");
  li.className = "hit new";
  li.dataset.cursor = p.cursor;
  const meta = document.createElement("div");
  meta.className = "hit-meta";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = "@" + (p.author || "unknown");
  meta.appendChild(author);
  meta.appendChild(document.createTextNode(" · " + (p.created_at || "").slice(0, 19).replace("T", " ") + " UTC · " + p.kind + " · "));
  const a = document.createElement("a");
  a.href = "/post?id=" + encodeURIComponent(p.post_id) + "&platform=" + encodeURIComponent(p.platform);
  a.textContent = "open post";
  meta.appendChild(a);
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = p.text || "";
  li.appendChild(meta);
  li.appendChild(text);
  return li;
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".brushable svg.line-chart").forEach(setupBrush);
  const status = document.getElementById("feed-status");
  if (status) setupFeed(status);
});
