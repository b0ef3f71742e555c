// tagscope._native.map_v2: twarc2 response pages (formats/twitter/v2.parse) mapped in C++ over simdjson.
//
// Why: DuckDB's JSON reader and the v2 SQL (its joins of each page's includes) cost ~24 CPU-s per
// million tweets, three quarters of a v2 ingest. As for v1.1 (v1map.cpp), the mapping is restated field
// for field and claims only what it can vouch for; a line is left whole to the Python parser (`python`)
// when it is not a plain page (streaming, flattened and compliance lines, a page of users, errors
// without data), when a tweet has an edit history of several versions, a `note_tweet`, inlined
// references or an `author` object (the SQL path leaves those to Python too), when an includes id is
// given twice, and when any value read has a type this code does not restate exactly.
//
// Each post keeps its raw record: the tweet with the includes it references, as
// twitter/v2._self_contained builds it and orjson writes it (compact, keys in order, UTF-8 as is,
// control characters escaped, floats as Python's repr). dump() writes that from the parsed values; a
// line holding a value it does not write as orjson does (a key repeated in one object, a float in
// exponent form) goes to Python.
//
// map_v2(block, starts, ends) -> {column: buffers}: rows of (line index, position in the line), one per
// post or tombstone of a mapped line and one (python) per line left to Python, in line order.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json_values.h"

using namespace tagscope_native;  // NOLINT: the shared readers and builders

namespace {

// A string as orjson writes it: UTF-8 as is; quote, backslash and control characters escaped. Runs of
// plain bytes are appended whole (byte by byte, this was a fifth of the v2 mapping's time).
void write_string(std::string_view s, std::string& out) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (u) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += hex[u >> 4];
        out += hex[u & 15];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

// orjson.dumps(value) of a parsed value; false where orjson could write something else.
bool dump(const element& el, std::string& out) {
  switch (el.type()) {
    case element_type::OBJECT: {
      object obj = el.get_object().value_unsafe();
      // A key given twice: a Python dict keeps one of them. Keys are compared on the stack (no
      // allocation per object); an object of more keys than that goes to Python.
      std::string_view keys[96];
      size_t nkeys = 0;
      out += '{';
      bool first = true;
      for (auto field : obj) {
        for (size_t k = 0; k < nkeys; k++) if (keys[k] == field.key) return false;
        if (nkeys == 96) return false;
        keys[nkeys++] = field.key;
        if (!first) out += ',';
        first = false;
        write_string(field.key, out);
        out += ':';
        if (!dump(field.value, out)) return false;
      }
      out += '}';
      return true;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (element item : array_of(el)) {
        if (!first) out += ',';
        first = false;
        if (!dump(item, out)) return false;
      }
      out += ']';
      return true;
    }
    case element_type::STRING:
      write_string(el.get_string().value_unsafe(), out);
      return true;
    case element_type::INT64: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, el.get_int64().value_unsafe());
      out.append(buf, r.ptr - buf);
      return true;
    }
    case element_type::UINT64: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, el.get_uint64().value_unsafe());
      out.append(buf, r.ptr - buf);
      return true;
    }
    case element_type::DOUBLE: {
      // orjson writes a float as Python's repr does: the shortest digits that read back the same, in
      // decimal for 1e-4 <= |x| < 1e16 ("123.0", "0.5266"), else in exponent form ("1e-7", "1e+16").
      // C++'s shortest to_chars gives the same digits; only its decimal forms inside that range are
      // taken (others go to Python).
      double d = el.get_double().value_unsafe();
      double a = d < 0 ? -d : d;
      if (!(a == 0 || (a >= 1e-4 && a < 1e16))) return false;
      char buf[48];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      if (r.ec != std::errc()) return false;
      std::string_view v(buf, r.ptr - buf);
      if (v.find_first_of("eEni") != std::string_view::npos) return false;
      out += v;
      if (v.find('.') == std::string_view::npos) out += ".0";
      return true;
    }
    case element_type::BOOL: out += el.get_bool().value_unsafe() ? "true" : "false"; return true;
    case element_type::NULL_VALUE: out += "null"; return true;
    default: return false;
  }
}

constexpr std::string_view PAGE_NAMES[3] = {"data", "includes", "errors"};
constexpr std::string_view INCLUDE_NAMES[2] = {"users", "tweets"};
constexpr std::string_view ERROR_NAMES[3] = {"resource_type", "title", "resource_id"};
constexpr std::string_view ID_NAME[1] = {"id"};
enum TwF {
  T_ID, T_AUTHOR_ID, T_AUTHOR, T_TEXT, T_HISTORY, T_CREATED, T_REFS, T_NOTE, T_ENT, T_METRICS, T_LANG, T_CONV,
  T_REPLY_USER, T_N
};
constexpr std::string_view TWEET_NAMES[T_N] = {
    "id", "author_id", "author", "text", "edit_history_tweet_ids", "created_at", "referenced_tweets", "note_tweet",
    "entities", "public_metrics", "lang", "conversation_id", "in_reply_to_user_id"};
enum UsF { V_ID, V_USERNAME, V_NAME, V_DESC, V_VERIFIED, V_VTYPE, V_METRICS, V_N };
constexpr std::string_view USER2_NAMES[V_N] = {"id", "username", "name", "description", "verified", "verified_type",
                                               "public_metrics"};
constexpr std::string_view REF_NAMES[3] = {"type", "id", "text"};
constexpr std::string_view ENT2_NAMES[3] = {"hashtags", "mentions", "urls"};
constexpr std::string_view HASHTAG2_NAMES[1] = {"tag"};
constexpr std::string_view MENTION2_NAMES[1] = {"username"};
constexpr std::string_view URL2_NAMES[4] = {"expanded_url", "unwound_url", "url", "media_key"};
constexpr std::string_view METRIC_NAMES[4] = {"like_count", "retweet_count", "reply_count", "quote_count"};
constexpr std::string_view FOLLOWER_NAMES[1] = {"followers_count"};

using ById = std::unordered_map<std::string_view, element>;

// _by_id(items): dicts with a string id; false when an id is given twice (the SQL path's rule too).
bool by_id(const Opt& items, ById& out) {
  out.clear();
  if (!present(items) || items.el.type() != element_type::ARRAY) return true;
  Opt id[1];
  for (element item : array_of(items.el)) {
    if (item.type() != element_type::OBJECT) continue;
    if (!pick(item.get_object().value_unsafe(), ID_NAME, id)) return false;
    if (!present(id[0]) || id[0].el.type() != element_type::STRING) continue;
    if (!out.emplace(id[0].el.get_string().value_unsafe(), item).second) return false;
  }
  return true;
}

// A value read as a string or absent (null); false for any other type.
inline bool opt_string(const Opt& o, std::string_view& out, bool& has) {
  has = false;
  if (!present(o)) return true;
  if (o.el.type() != element_type::STRING) return false;
  out = o.el.get_string().value_unsafe();
  has = true;
  return true;
}

// is_media_link(url)
inline bool media_link(std::string_view u) {
  for (std::string_view p : {"pic.twitter.com/", "https://pic.twitter.com/", "http://pic.twitter.com/"})
    if (u.substr(0, p.size()) == p) return true;
  auto has = [&](std::string_view s) { return u.find(s) != std::string_view::npos; };
  return has("/status/") && (has("/photo/") || has("/video/")) && (has("twitter.com/") || has("x.com/"));
}

// parse_iso(value).replace(microsecond=0) for 'YYYY-MM-DDTHH:MM:SS[.fff|.ffffff]Z', microseconds since
// the epoch; false for anything else (fromisoformat's other forms, offsets: Python decides).
inline bool iso_time(std::string_view s, int64_t& us) {
  if (!(s.size() == 20 || s.size() == 24 || s.size() == 27) || s.back() != 'Z') return false;
  const char* p = s.data();
  if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':') return false;
  if (s.size() > 20 && (p[19] != '.' || digits(p + 20, static_cast<int>(s.size()) - 21) < 0)) return false;
  return civil_us(digits(p, 4), digits(p + 5, 2), digits(p + 8, 2), digits(p + 11, 2), digits(p + 14, 2),
                  digits(p + 17, 2), us);
}

struct Post {
  bool tombstone = false;  // an errors[] "Not Found Error": only id is set
  std::string_view id, author_id, handle, name, bio, text, lang, reply_to, reply_user, quote_of, repost_of,
      repost_author, conversation, rt_head;
  bool has_handle = false, has_name = false, has_bio = false, has_text = false, has_lang = false,
       has_reply_to = false, has_reply_user = false, has_quote_of = false, has_repost_of = false,
       has_repost_author = false, has_conversation = false, has_rt_head = false;
  Int followers, likes, reposts, replies, quotes;
  int verified = -1;
  int kind = 0;
  int64_t created = 0;
  std::vector<std::string_view> tags, mentions, urls;
  std::string raw;
};


// as_str for the string-or-null fields of v2 (ids and handles are strings there): "" is none.
inline bool str_field(const Opt& o, std::string_view& out, bool& has) {
  if (!opt_string(o, out, has)) return false;
  if (has && out.empty()) has = false;
  return true;
}

template <size_t N>
bool entity_strings(const Opt& list, const std::string_view (&names)[N], std::vector<std::string_view>& out,
                    bool& ok) {
  if (!truthy(list, ok)) return ok;
  if (list.el.type() != element_type::ARRAY) return false;
  Opt f[N];
  for (element item : array_of(list.el)) {
    if (item.type() != element_type::OBJECT) return false;
    if (!pick(item.get_object().value_unsafe(), names, f)) return false;
    if (present(f[0]) && f[0].el.type() == element_type::STRING) out.push_back(f[0].el.get_string().value_unsafe());
  }
  return true;
}

// _tweet(tw, users, tweets, with_raw=True) for a tweet of a page; false: the line goes to Python.
bool map_tweet(const element& tw_el, const ById& users, const ById& tweets, Post& post) {
  bool ok = true;
  if (tw_el.type() != element_type::OBJECT) return false;
  Opt tw[T_N];
  if (!pick(tw_el.get_object().value_unsafe(), TWEET_NAMES, tw)) return false;
  if (tw[T_AUTHOR].has || tw[T_NOTE].has) return false;  // flattened tweets, long posts: Python
  bool has_id = false;
  if (!opt_string(tw[T_ID], post.id, has_id) || !has_id || post.id.empty()) return false;
  // edit history: one version (itself) is read; several go to Python
  std::vector<std::string_view> history;
  if (present(tw[T_HISTORY])) {
    if (tw[T_HISTORY].el.type() != element_type::ARRAY) return false;
    for (element h : array_of(tw[T_HISTORY].el)) {
      if (h.type() != element_type::STRING) return false;
      history.push_back(h.get_string().value_unsafe());
    }
    if (history.size() > 1) return false;
  }
  // the author: users[author_id] or {}
  std::string_view author_id;
  bool has_author_id = false;
  if (!opt_string(tw[T_AUTHOR_ID], author_id, has_author_id)) return false;
  Opt u[V_N];
  bool has_user = false;
  if (has_author_id) {
    auto it = users.find(author_id);
    if (it != users.end()) {
      object uo = it->second.get_object().value_unsafe();
      if (uo.begin() != uo.end()) {
        if (!pick(uo, USER2_NAMES, u)) return false;
        has_user = true;
      }
    }
  }
  if (!has_user) for (auto& x : u) x.has = false;
  // author_id = as_str(tw.author_id) or as_str(user.id)
  if (has_author_id && !author_id.empty()) {
    post.author_id = author_id;
  } else {
    std::string_view uid;
    bool has_uid = false;
    if (!str_field(u[V_ID], uid, has_uid)) return false;
    if (!has_uid) return false;  // missing author_id: Python quarantines it
    post.author_id = uid;
  }
  if (!present(tw[T_CREATED]) || tw[T_CREATED].el.type() != element_type::STRING) return false;
  if (!iso_time(tw[T_CREATED].el.get_string().value_unsafe(), post.created)) return false;
  // referenced tweets: the first id of each type (as_str(id) or "")
  std::string_view rt_id, reply_id, quote_id;
  bool has_rt = false, has_reply = false, has_quote = false;
  std::vector<std::string_view> ref_ids;  // every ref id, in order, for the raw record's includes
  if (present(tw[T_REFS])) {
    if (tw[T_REFS].el.type() != element_type::ARRAY) return false;
    Opt r[3];
    for (element ref : array_of(tw[T_REFS].el)) {
      if (ref.type() != element_type::OBJECT) return false;
      if (!pick(ref.get_object().value_unsafe(), REF_NAMES, r)) return false;
      if (r[2].has) return false;  // inlined by twarc2 flatten: Python
      std::string_view type, id;
      bool has_type = false, has_ref_id = false;
      if (!opt_string(r[0], type, has_type) || !opt_string(r[1], id, has_ref_id)) return false;
      if (has_ref_id) ref_ids.push_back(id);
      if (!has_type || !has_ref_id) continue;
      if (type == "retweeted" && !has_rt) { rt_id = id; has_rt = true; }
      if (type == "replied_to" && !has_reply) { reply_id = id; has_reply = true; }
      if (type == "quoted" && !has_quote) { quote_id = id; has_quote = true; }
    }
  }
  // rt = tweets[rt_id] if rt_id; source = rt or tw
  const element* rt = nullptr;
  if (has_rt && !rt_id.empty()) {
    auto it = tweets.find(rt_id);
    if (it != tweets.end()) rt = &it->second;
  }
  Opt src_own[T_N];
  const Opt* src = tw;
  if (rt != nullptr) {
    if (!pick(rt->get_object().value_unsafe(), TWEET_NAMES, src_own)) return false;
    if (src_own[T_NOTE].has || src_own[T_AUTHOR].has) return false;
    src = src_own;
  }
  // text and entities of the source (note_tweet went to Python above)
  post.has_text = false;
  if (present(src[T_TEXT])) {
    if (src[T_TEXT].el.type() != element_type::STRING) return false;
    post.text = src[T_TEXT].el.get_string().value_unsafe();
    post.has_text = true;
  }
  post.tags.clear();
  post.mentions.clear();
  post.urls.clear();
  bool ents = truthy(src[T_ENT], ok);
  if (!ok) return false;
  if (ents && src[T_ENT].el.type() == element_type::OBJECT) {
    Opt e[3];
    if (!pick(src[T_ENT].el.get_object().value_unsafe(), ENT2_NAMES, e)) return false;
    if (!entity_strings(e[0], HASHTAG2_NAMES, post.tags, ok) || !ok) return false;
    if (!entity_strings(e[1], MENTION2_NAMES, post.mentions, ok) || !ok) return false;
    if (truthy(e[2], ok)) {
      if (e[2].el.type() != element_type::ARRAY) return false;
      Opt f[4];
      for (element item : array_of(e[2].el)) {
        if (item.type() != element_type::OBJECT) return false;
        if (!pick(item.get_object().value_unsafe(), URL2_NAMES, f)) return false;
        if (f[3].has) continue;  // "media_key" in u: the tweet's own media
        // expanded_url or unwound_url or url
        const Opt* chosen = &f[2];
        if (truthy(f[0], ok)) chosen = &f[0];
        else if (truthy(f[1], ok)) chosen = &f[1];
        if (!ok) return false;
        if (present(*chosen) && chosen->el.type() == element_type::STRING) {
          std::string_view v = chosen->el.get_string().value_unsafe();
          if (!v.empty() && !media_link(v)) post.urls.push_back(v);
        }
      }
    }
    if (!ok) return false;
  }  // entities of another type are read as {} (`if not isinstance(entities, dict)`)
  // the repost's author: the retweeted tweet's user's username, else the "RT @x:" prefix
  post.has_rt_head = false;
  post.has_repost_author = false;
  post.has_repost_of = false;
  if (has_rt && !rt_id.empty()) {
    post.kind = 3;
    post.repost_of = rt_id;
    post.has_repost_of = true;
    bool found = false;
    if (rt != nullptr) {
      std::string_view rt_author_id;
      bool has_rt_author_id = false;
      if (!opt_string(src[T_AUTHOR_ID], rt_author_id, has_rt_author_id)) return false;
      if (has_rt_author_id) {
        auto it = users.find(rt_author_id);
        if (it != users.end()) {
          Opt name[1];
          if (!pick(it->second.get_object().value_unsafe(), MENTION2_NAMES, name)) return false;
          std::string_view v;
          bool has_v = false;
          if (!str_field(name[0], v, has_v)) return false;
          if (has_v) { post.repost_author = v; found = true; }
        }
      }
    }
    if (!found && present(tw[T_TEXT]) && tw[T_TEXT].el.type() == element_type::STRING) {
      std::string_view t = tw[T_TEXT].el.get_string().value_unsafe();
      if (t.substr(0, 4) == "RT @") {
        size_t end = t.find(':', 4);
        if (end != std::string_view::npos && end > 4) { post.repost_author = t.substr(4, end - 4); found = true; }
      }
    }
    if (found) {
      post.has_repost_author = true;
      if (rt != nullptr) { post.rt_head = post.repost_author; post.has_rt_head = true; }
    }
  } else if (has_reply) {
    post.kind = 1;
  } else if (has_quote) {
    post.kind = 2;
  } else {
    post.kind = 0;
  }
  post.has_reply_to = has_reply && !reply_id.empty();
  post.reply_to = reply_id;
  post.has_quote_of = has_quote && !quote_id.empty();
  post.quote_of = quote_id;
  // counts of the source, followers of the user
  Int* counts[4] = {&post.likes, &post.reposts, &post.replies, &post.quotes};
  for (auto* c : counts) c->has = false;
  if (truthy(src[T_METRICS], ok)) {
    if (src[T_METRICS].el.type() != element_type::OBJECT) return false;
    Opt m[4];
    if (!pick(src[T_METRICS].el.get_object().value_unsafe(), METRIC_NAMES, m)) return false;
    for (int i = 0; i < 4; i++) as_int(m[i], *counts[i], ok);
  }
  if (!ok) return false;
  post.followers.has = false;
  if (truthy(u[V_METRICS], ok)) {
    if (u[V_METRICS].el.type() != element_type::OBJECT) return false;
    Opt f[1];
    if (!pick(u[V_METRICS].el.get_object().value_unsafe(), FOLLOWER_NAMES, f)) return false;
    as_int(f[0], post.followers, ok);
  }
  if (!ok) return false;
  // verified, or a verified_type other than "none"/""
  post.verified = -1;
  if (present(u[V_VERIFIED])) {
    if (u[V_VERIFIED].el.type() != element_type::BOOL) return false;
    post.verified = u[V_VERIFIED].el.get_bool().value_unsafe();
  }
  if (present(u[V_VTYPE])) {
    if (u[V_VTYPE].el.type() != element_type::STRING) return false;
    std::string_view vt = u[V_VTYPE].el.get_string().value_unsafe();
    if (!vt.empty() && vt != "none") post.verified = 1;
  }
  if (!str_field(u[V_USERNAME], post.handle, post.has_handle) || !str_field(u[V_NAME], post.name, post.has_name) ||
      !str_field(u[V_DESC], post.bio, post.has_bio) || !str_field(tw[T_LANG], post.lang, post.has_lang) ||
      !str_field(tw[T_CONV], post.conversation, post.has_conversation) ||
      !str_field(tw[T_REPLY_USER], post.reply_user, post.has_reply_user))
    return false;

  // the raw record: {"data": tw, "includes": {"users": [...], "tweets": [...]}}
  std::vector<std::pair<std::string_view, const element*>> inc_tweets;
  auto add_tweet = [&](std::string_view id) {
    auto it = tweets.find(id);
    if (it == tweets.end()) return;
    for (auto& [k, v] : inc_tweets) if (k == id) return;
    inc_tweets.emplace_back(id, &it->second);
  };
  for (auto id : ref_ids) add_tweet(id);
  for (auto id : history) add_tweet(id);
  std::vector<std::string_view> uids;
  if (has_author_id) uids.push_back(author_id);
  Opt aid[1];
  static constexpr std::string_view AUTHOR_ID_NAME[1] = {"author_id"};
  for (auto& [k, t] : inc_tweets) {
    if (!pick(t->get_object().value_unsafe(), AUTHOR_ID_NAME, aid)) return false;
    if (present(aid[0])) {
      if (aid[0].el.type() != element_type::STRING) return false;
      uids.push_back(aid[0].el.get_string().value_unsafe());
    }
  }
  std::vector<const element*> inc_users;
  std::vector<std::string_view> seen;
  for (auto id : uids) {
    bool dup = false;
    for (auto s : seen) if (s == id) dup = true;
    if (dup) continue;
    seen.push_back(id);
    auto it = users.find(id);
    if (it != users.end()) inc_users.push_back(&it->second);
  }
  post.raw.clear();
  post.raw.reserve(4096);
  post.raw += "{\"data\":";
  if (!dump(tw_el, post.raw)) return false;
  if (!inc_users.empty() || !inc_tweets.empty()) {
    post.raw += ",\"includes\":{";
    if (!inc_users.empty()) {
      post.raw += "\"users\":[";
      for (size_t i = 0; i < inc_users.size(); i++) {
        if (i) post.raw += ',';
        if (!dump(*inc_users[i], post.raw)) return false;
      }
      post.raw += ']';
    }
    if (!inc_tweets.empty()) {
      if (!inc_users.empty()) post.raw += ',';
      post.raw += "\"tweets\":[";
      for (size_t i = 0; i < inc_tweets.size(); i++) {
        if (i) post.raw += ',';
        if (!dump(*inc_tweets[i].second, post.raw)) return false;
      }
      post.raw += ']';
    }
    post.raw += '}';
  }
  post.raw += '}';
  return true;
}

struct Columns2 {
  I64Col line, pos;
  std::vector<uint8_t> python;
  StrCol tombstone, raw, platform, id, author_id, handle, name, bio, text, lang, kind, reply_to, reply_user,
      quote_of, repost_of, repost_author, conversation, rt_head;
  I64Col followers, created, likes, reposts, replies, quotes;
  PostLists lists;

  void row(int64_t l, int64_t p) { line.add(l); pos.add(p); }

  void nulls() {
    for (StrCol* c : {&tombstone, &raw, &platform, &id, &author_id, &handle, &name, &bio, &text, &lang, &kind,
                      &reply_to, &reply_user, &quote_of, &repost_of, &repost_author, &conversation, &rt_head})
      c->null();
    for (I64Col* c : {&followers, &created, &likes, &reposts, &replies, &quotes}) c->null();
    lists.null();
  }

  void python_line(int64_t l) {
    row(l, 0);
    python.push_back(1);
    nulls();
  }

  void tomb(int64_t l, int64_t p, std::string_view pid) {
    row(l, p);
    python.push_back(0);
    nulls();
    platform.set_last("twitter");
    id.set_last(pid);
    tombstone.set_last("deleted");
  }

  void add(int64_t l, int64_t p, const Post& r) {
    row(l, p);
    python.push_back(0);
    tombstone.null();
    raw.add(r.raw);
    platform.add("twitter");
    id.add(r.id);
    author_id.add(r.author_id);
    auto opt = [](StrCol& c, bool has, std::string_view v) { if (has) c.add(v); else c.null(); };
    opt(handle, r.has_handle, r.handle);
    opt(name, r.has_name, r.name);
    opt(bio, r.has_bio, r.bio);
    opt(text, r.has_text, r.text);
    opt(lang, r.has_lang, r.lang);
    kind.add(KINDS[r.kind]);
    opt(reply_to, r.has_reply_to, r.reply_to);
    opt(reply_user, r.has_reply_user, r.reply_user);
    opt(quote_of, r.has_quote_of, r.quote_of);
    opt(repost_of, r.has_repost_of, r.repost_of);
    opt(repost_author, r.has_repost_author, r.repost_author);
    opt(conversation, r.has_conversation, r.conversation);
    opt(rt_head, r.has_rt_head, r.rt_head);
    followers.add(r.followers);
    created.add(r.created);
    likes.add(r.likes);
    reposts.add(r.reposts);
    replies.add(r.replies);
    quotes.add(r.quotes);
    lists.add(r.verified, r.tags, r.mentions, r.urls);
  }
};

// One page: its tombstones and posts in `posts` (tombstone entries have only id); false: Python.
bool map_page(const object& page, ById& users, ById& tweets, std::vector<Post>& posts, size_t& n) {
  n = 0;
  Opt top[3];
  if (!pick(page, PAGE_NAMES, top)) return false;
  if (!present(top[0]) || top[0].el.type() != element_type::ARRAY) return false;  // streaming, errors only: Python
  bool ok = true;
  // includes = obj.get("includes") or {}
  Opt inc[2];
  for (auto& x : inc) x.has = false;
  if (truthy(top[1], ok)) {
    if (top[1].el.type() != element_type::OBJECT) return false;
    if (!pick(top[1].el.get_object().value_unsafe(), INCLUDE_NAMES, inc)) return false;
  }
  if (!ok) return false;
  if (!by_id(inc[0], users) || !by_id(inc[1], tweets)) return false;
  auto next = [&]() -> Post& {
    if (posts.size() <= n) posts.emplace_back();
    return posts[n++];
  };
  // errors[]: a tweet not found is deleted
  if (present(top[2]) && top[2].el.type() == element_type::ARRAY) {
    Opt e[3];
    for (element err : array_of(top[2].el)) {
      if (err.type() != element_type::OBJECT) continue;
      if (!pick(err.get_object().value_unsafe(), ERROR_NAMES, e)) return false;
      if (!present(e[0]) || e[0].el.type() != element_type::STRING || e[0].el.get_string().value_unsafe() != "tweet")
        continue;
      if (!present(e[1]) || e[1].el.type() != element_type::STRING ||
          e[1].el.get_string().value_unsafe() != "Not Found Error")
        continue;
      if (!present(e[2]) || e[2].el.type() != element_type::STRING) continue;
      std::string_view rid = e[2].el.get_string().value_unsafe();
      if (rid.empty()) continue;
      bool digits_only = true;
      for (char c : rid) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;  // str.isdigit() knows other digits
        if (c < '0' || c > '9') digits_only = false;
      }
      if (!digits_only) continue;
      Post& t = next();
      t.tombstone = true;
      t.id = rid;
    }
  }
  array data = top[0].el.get_array().value_unsafe();
  bool first = true;
  for (element tw : data) {
    if (first && tw.type() == element_type::OBJECT) {  // a page of users: Python says so
      object o = tw.get_object().value_unsafe();
      if (!o["username"].error() && o["text"].error()) return false;
    }
    first = false;
    Post& p = next();
    p.tombstone = false;
    if (!map_tweet(tw, users, tweets, p)) return false;
  }
  return n > 0;
}

PyObject* map(PyObject*, PyObject* args) {
  BlockLines lines;
  if (!lines.open(args, "map_v2")) return nullptr;
  Columns2 cols;
  bool bad = false;
  Py_BEGIN_ALLOW_THREADS
  ById users, tweets;
  std::vector<Post> posts;
  for (size_t i = 0; i < lines.size() && !bad; i++) {
    object obj;
    size_t count = 0;
    if (!lines.object_at(i, obj, bad) || !map_page(obj, users, tweets, posts, count)) {
      cols.python_line(static_cast<int64_t>(i));
      continue;
    }
    for (size_t k = 0; k < count; k++) {
      if (posts[k].tombstone) cols.tomb(static_cast<int64_t>(i), static_cast<int64_t>(k), posts[k].id);
      else cols.add(static_cast<int64_t>(i), static_cast<int64_t>(k), posts[k]);
    }
  }
  Py_END_ALLOW_THREADS
  if (bad) {
    PyErr_SetString(PyExc_ValueError, "line offsets outside the block");
    return nullptr;
  }
  return columns_dict(
      {{"tombstone", &cols.tombstone}, {"raw", &cols.raw}, {"platform", &cols.platform}, {"id", &cols.id},
       {"author_id", &cols.author_id}, {"author_handle", &cols.handle}, {"author_name", &cols.name},
       {"author_bio", &cols.bio}, {"text", &cols.text}, {"lang", &cols.lang}, {"kind", &cols.kind},
       {"reply_to_id", &cols.reply_to}, {"reply_to_user_id", &cols.reply_user}, {"quote_of_id", &cols.quote_of},
       {"repost_of_id", &cols.repost_of}, {"repost_of_author", &cols.repost_author},
       {"conversation_id", &cols.conversation}, {"rt_head", &cols.rt_head}},
      {{"line", &cols.line}, {"pos", &cols.pos}, {"author_followers", &cols.followers},
       {"created_at", &cols.created}, {"like_count", &cols.likes}, {"repost_count", &cols.reposts},
       {"reply_count", &cols.replies}, {"quote_count", &cols.quotes}},
      {{"tags0", &cols.lists.tags}, {"mentions0", &cols.lists.mentions}, {"urls0", &cols.lists.urls}},
      {{"python", bitmap(cols.python)},
       {"author_verified", Py_BuildValue("(NN)", bitmap(cols.lists.verified_valid), bitmap(cols.lists.verified))}});
}

}  // namespace

PyObject* tagscope_map_v2(PyObject* self, PyObject* args) { return map(self, args); }
