// tagscope._native.map_v1: the v1.1 status mapping (formats/twitter/v1.parse_status) in C++ over simdjson.
//
// Why: DuckDB's JSON reader and the SQL mapping cost ~9 CPU-s per million statuses, most of ingest's
// budget; simdjson's DOM parser validates and indexes a line at over 1 GB/s. The mapping is stated
// again here field for field, and claims only the lines it can vouch for: a line whose JSON simdjson
// refuses, or whose fields have a type or a shape outside what this code restates exactly (numbers as
// floats, numeric strings as counts, a repeated key it reads, a non-ASCII created_at, ...), is marked
// `python` and goes to the Python parser with its line, as with the SQL mapping. Tests compare the
// three paths (native, DuckDB, Python) post for post on the real fixtures and on generated statuses.
//
// map_v1(block, starts, ends) -> {column: buffers}: one row per line [starts[i], ends[i]) of the block,
// each column as Arrow buffers that formats/twitter/v1_native.py wraps without copying again.

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "json_values.h"

using namespace tagscope_native;  // NOLINT: the shared readers and builders

namespace {

// Fields of a status (and of the retweeted status: the same names).
enum StF {
  S_ID_STR, S_ID, S_USER, S_CREATED, S_RT, S_EXT, S_FULL, S_TEXT, S_ENT, S_LANG, S_REPLY_STR, S_REPLY,
  S_REPLY_USER_STR, S_REPLY_USER, S_IS_QUOTE, S_QUOTED_STR, S_QUOTED, S_FAV, S_RTC, S_REPLYC, S_QUOTEC, S_N
};
constexpr std::string_view ST_NAMES[S_N] = {
    "id_str", "id", "user", "created_at", "retweeted_status", "extended_tweet", "full_text", "text", "entities",
    "lang", "in_reply_to_status_id_str", "in_reply_to_status_id", "in_reply_to_user_id_str", "in_reply_to_user_id",
    "is_quote_status", "quoted_status_id_str", "quoted_status", "favorite_count", "retweet_count", "reply_count",
    "quote_count"};
enum UF { U_ID_STR, U_ID, U_SCREEN, U_NAME, U_FOLLOWERS, U_VERIFIED, U_DESC, U_N };
constexpr std::string_view USER_NAMES[U_N] = {"id_str", "id", "screen_name", "name", "followers_count", "verified",
                                              "description"};
constexpr std::string_view EXT_NAMES[2] = {"full_text", "entities"};
constexpr std::string_view ENT_NAMES[3] = {"hashtags", "user_mentions", "urls"};
constexpr std::string_view TAG_NAMES[1] = {"text"};
constexpr std::string_view MENTION_NAMES[1] = {"screen_name"};
constexpr std::string_view URL_NAMES[2] = {"expanded_url", "url"};
constexpr std::string_view ID_NAMES[1] = {"id_str"};


struct Row {
  Str id, author_id, handle, name, bio, lang, reply_to, reply_user, quote_of, repost_of, repost_author, text;
  bool text_has = false;
  Int followers, likes, reposts, replies, quotes;
  int verified = -1;  // -1 null
  int64_t created = 0;
  int kind = 0;
  bool rt_head_has = false;
  std::string_view rt_head;
  std::vector<std::string_view> tags, mentions, urls;
};



// twitter/v1.parse_time's fast path ('Thu Jun 08 15:23:27 +0000 2017'), microseconds since the epoch;
// false for anything it does not take exactly (then Python decides).
inline bool twitter_time(std::string_view s, int64_t& us) {
  if (s.size() != 30) return false;
  for (char c : s) if (static_cast<unsigned char>(c) >= 0x80) return false;  // len() counts characters
  if (s.substr(20, 5) != "+0000") return false;
  static constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  int month = 0;
  for (int i = 0; i < 12; i++) if (s.substr(4, 3) == months.substr(i * 3, 3)) month = i + 1;
  const char* p = s.data();
  return month && civil_us(digits(p + 26, 4), month, digits(p + 8, 2), digits(p + 11, 2), digits(p + 14, 2),
                           digits(p + 17, 2), us);
}

// The string items of an entity list (`entities.get(NAME) or ()`, each item's FIELD if a string).
template <size_t N>
inline bool entity_items(const Opt& list, const std::string_view (&names)[N], std::vector<std::string_view>& out,
                         bool& ok) {
  if (!truthy(list, ok)) return ok;
  if (list.el.type() != element_type::ARRAY) return false;  // a string or object would be iterated
  Opt f[N];
  array items = list.el.get_array().value_unsafe();  // a copy: the result it comes from is a temporary
  for (element item : items) {
    if (item.type() != element_type::OBJECT) return false;  // .get() on a non-dict raises
    if (!pick(item.get_object().value_unsafe(), names, f)) return false;
    if (present(f[0]) && f[0].el.type() == element_type::STRING) out.push_back(f[0].el.get_string().value_unsafe());
  }
  return true;
}

inline bool url_items(const Opt& list, std::vector<std::string_view>& out, bool& ok) {
  if (!truthy(list, ok)) return ok;
  if (list.el.type() != element_type::ARRAY) return false;
  Opt f[2];
  array items = list.el.get_array().value_unsafe();  // a copy: the result it comes from is a temporary
  for (element item : items) {
    if (item.type() != element_type::OBJECT) return false;
    if (!pick(item.get_object().value_unsafe(), URL_NAMES, f)) return false;
    // url = u.get("expanded_url") or u.get("url"); kept if a non-empty string
    const Opt& chosen = truthy(f[0], ok) ? f[0] : f[1];
    if (!ok) return false;
    if (present(chosen) && chosen.el.type() == element_type::STRING) {
      std::string_view v = chosen.el.get_string().value_unsafe();
      if (!v.empty()) out.push_back(v);
    }
  }
  return true;
}

constexpr std::string_view NOTICE_NAMES[3] = {"delete", "user", "statuses"};
constexpr std::string_view DELETE_NAMES[2] = {"status", "timestamp_ms"};

// A streaming delete notice (twitter/v1._parse's "delete" branch): its post's id in ROW.id and its time
// (timestamp_ms, or 0 when it has none) in ROW.created; false: the line is left to Python.
bool map_delete(const object& obj, Row& row) {
  Opt top[3];
  if (!pick(obj, NOTICE_NAMES, top) || !top[0].has || top[1].has || top[2].has) return false;
  if (!present(top[0]) || top[0].el.type() != element_type::OBJECT) return false;
  Opt del[2];
  if (!pick(top[0].el.get_object().value_unsafe(), DELETE_NAMES, del)) return false;
  if (!present(del[0]) || del[0].el.type() != element_type::OBJECT) return false;
  Opt st[S_N];
  if (!pick(del[0].el.get_object().value_unsafe(), ST_NAMES, st)) return false;
  bool ok = true;
  as_str_or(st[S_ID_STR], st[S_ID], row.id, ok);
  if (!ok || !row.id.has) return false;
  // as_int(timestamp_ms): Twitter writes a string of digits; `if ms` makes 0 and none alike
  int64_t ms = 0;
  if (present(del[1])) {
    if (del[1].el.type() == element_type::INT64) {
      ms = del[1].el.get_int64().value_unsafe();
    } else if (del[1].el.type() == element_type::STRING) {
      std::string_view v = del[1].el.get_string().value_unsafe();
      if (v.empty() || v.size() > 13) return false;
      for (char c : v) {
        if (c < '0' || c > '9') return false;
        ms = ms * 10 + (c - '0');
      }
    } else {
      return false;
    }
  }
  // datetime.fromtimestamp(ms / 1000) is exact to the microsecond below 10**13 ms
  if (ms < 0 || ms >= 10000000000000LL) return false;
  row.created = ms * 1000;
  return true;
}

// parse_status(st) into ROW; false: the line is left to Python.
bool map_status(const object& st_obj, Row& row) {
  bool ok = true;
  Opt st[S_N];
  if (!pick(st_obj, ST_NAMES, st)) return false;
  if (!st[S_USER].has) return false;  // not a status: delete notices, search responses, notices
  as_str_or(st[S_ID_STR], st[S_ID], row.id, ok);
  if (!ok || !row.id.has) return false;
  if (!present(st[S_USER]) || st[S_USER].el.type() != element_type::OBJECT) return false;
  Opt u[U_N];
  if (!pick(st[S_USER].el.get_object().value_unsafe(), USER_NAMES, u)) return false;
  bool someone = truthy(u[U_ID_STR], ok) || truthy(u[U_ID], ok) || truthy(u[U_SCREEN], ok);
  if (!ok || !someone) return false;
  if (!present(st[S_CREATED]) || st[S_CREATED].el.type() != element_type::STRING) return false;
  if (!twitter_time(st[S_CREATED].el.get_string().value_unsafe(), row.created)) return false;

  // rt = retweeted_status if a dict; `rt or st` and `if rt` treat an empty one as none.
  Opt rt[S_N];
  bool is_rt = false;
  if (present(st[S_RT]) && st[S_RT].el.type() == element_type::OBJECT) {
    object r = st[S_RT].el.get_object().value_unsafe();
    if (r.begin() != r.end()) {
      is_rt = true;
      if (!pick(r, ST_NAMES, rt)) return false;
    }
  }
  const Opt* src = is_rt ? rt : st;

  // _text_and_entities(source)
  const Opt* text = &src[S_TEXT];
  Opt ext[2];
  const Opt* ents = nullptr;
  bool ext_text = false;
  if (present(src[S_EXT]) && src[S_EXT].el.type() == element_type::OBJECT) {
    if (!pick(src[S_EXT].el.get_object().value_unsafe(), EXT_NAMES, ext)) return false;
    if (present(ext[0])) {
      ext_text = true;
      text = &ext[0];
      if (truthy(ext[1], ok)) ents = &ext[1];
      if (!ok) return false;
    }
  }
  if (!ext_text && present(src[S_FULL])) text = &src[S_FULL];
  if (ents == nullptr) {
    if (truthy(src[S_ENT], ok)) ents = &src[S_ENT];
    if (!ok) return false;
  }
  row.text_has = false;
  if (present(*text)) {
    if (text->el.type() == element_type::STRING) {
      row.text_has = true;
      row.text.s = text->el.get_string().value_unsafe();
    } else {
      as_str(*text, row.text, ok);
      if (!ok) return false;
      row.text_has = row.text.has;
    }
  }
  row.tags.clear();
  row.mentions.clear();
  row.urls.clear();
  if (ents != nullptr) {
    if (ents->el.type() != element_type::OBJECT) return false;  // entities.get() on a non-dict raises
    Opt e[3];
    if (!pick(ents->el.get_object().value_unsafe(), ENT_NAMES, e)) return false;
    if (!entity_items(e[0], TAG_NAMES, row.tags, ok) || !ok) return false;
    if (!entity_items(e[1], MENTION_NAMES, row.mentions, ok) || !ok) return false;
    if (!url_items(e[2], row.urls, ok) || !ok) return false;
  }

  row.rt_head_has = false;
  row.repost_author.has = false;
  row.repost_of.has = false;
  if (is_rt) {
    row.kind = 3;
    // rt_user = rt.get("user") or {}
    bool has_user = truthy(rt[S_USER], ok);
    if (!ok) return false;
    if (has_user) {
      if (rt[S_USER].el.type() != element_type::OBJECT) return false;
      Opt sn[1];
      if (!pick(rt[S_USER].el.get_object().value_unsafe(), MENTION_NAMES, sn)) return false;
      if (present(sn[0])) {
        if (sn[0].el.type() != element_type::STRING) return false;
        row.rt_head_has = true;
        row.rt_head = sn[0].el.get_string().value_unsafe();
        as_str(sn[0], row.repost_author, ok);
      }
    }
    as_str_or(rt[S_ID_STR], rt[S_ID], row.repost_of, ok);
  } else {
    bool reply = truthy(st[S_REPLY_STR], ok) || truthy(st[S_REPLY], ok);
    bool quote = !reply && truthy(st[S_IS_QUOTE], ok) && (truthy(st[S_QUOTED_STR], ok) || truthy(st[S_QUOTED], ok));
    row.kind = reply ? 1 : quote ? 2 : 0;
  }
  if (!ok) return false;

  as_str_or(u[U_ID_STR], u[U_ID], row.author_id, ok);
  as_str(u[U_SCREEN], row.handle, ok);
  as_str(u[U_NAME], row.name, ok);
  as_str(u[U_DESC], row.bio, ok);
  as_int(u[U_FOLLOWERS], row.followers, ok);
  row.verified = present(u[U_VERIFIED]) && u[U_VERIFIED].el.type() == element_type::BOOL
                     ? static_cast<int>(u[U_VERIFIED].el.get_bool().value_unsafe()) : -1;
  as_str(st[S_LANG], row.lang, ok);
  as_str_or(st[S_REPLY_STR], st[S_REPLY], row.reply_to, ok);
  as_str_or(st[S_REPLY_USER_STR], st[S_REPLY_USER], row.reply_user, ok);
  as_str(st[S_QUOTED_STR], row.quote_of, ok);
  if (!row.quote_of.has && present(st[S_QUOTED]) && st[S_QUOTED].el.type() == element_type::OBJECT) {
    Opt qid[1];
    if (!pick(st[S_QUOTED].el.get_object().value_unsafe(), ID_NAMES, qid)) return false;
    as_str(qid[0], row.quote_of, ok);
  }
  as_int(src[S_FAV], row.likes, ok);
  as_int(src[S_RTC], row.reposts, ok);
  as_int(src[S_REPLYC], row.replies, ok);
  as_int(src[S_QUOTEC], row.quotes, ok);
  return ok;
}

struct Columns {
  std::vector<uint8_t> python, tombstone;
  StrCol id, author_id, handle, name, bio, text, lang, kind, reply_to, reply_user, quote_of, repost_of,
      repost_author, rt_head;
  I64Col followers, created, likes, reposts, replies, quotes;
  PostLists lists;

  void null_row() {
    for (StrCol* c : {&id, &author_id, &handle, &name, &bio, &text, &lang, &kind, &reply_to, &reply_user, &quote_of,
                      &repost_of, &repost_author, &rt_head}) c->null();
    for (I64Col* c : {&followers, &created, &likes, &reposts, &replies, &quotes}) c->null();
    lists.null();
  }

  void add(const Row& r) {
    id.add(r.id); author_id.add(r.author_id); handle.add(r.handle); name.add(r.name); bio.add(r.bio);
    if (r.text_has) text.add(r.text.s); else text.null();
    lang.add(r.lang); kind.add(KINDS[r.kind]); reply_to.add(r.reply_to); reply_user.add(r.reply_user);
    quote_of.add(r.quote_of); repost_of.add(r.repost_of); repost_author.add(r.repost_author);
    if (r.rt_head_has) rt_head.add(r.rt_head); else rt_head.null();
    followers.add(r.followers); created.add(r.created); likes.add(r.likes); reposts.add(r.reposts);
    replies.add(r.replies); quotes.add(r.quotes);
    lists.add(r.verified, r.tags, r.mentions, r.urls);
  }
};

PyObject* map(PyObject*, PyObject* args) {
  BlockLines lines;
  if (!lines.open(args, "map_v1")) return nullptr;
  Columns cols;
  bool bad = false;
  Py_BEGIN_ALLOW_THREADS
  Row row;
  cols.python.reserve(lines.size());
  for (size_t i = 0; i < lines.size() && !bad; i++) {
    object obj;
    bool parsed = lines.object_at(i, obj, bad);
    bool fast = parsed && map_status(obj, row);
    bool deleted = parsed && !fast && map_delete(obj, row);
    cols.python.push_back(!fast && !deleted);
    cols.tombstone.push_back(deleted);
    if (fast) {
      cols.add(row);
    } else if (deleted) {  // the post's id, and the notice's time in created_at (null: none)
      cols.null_row();
      cols.id.set_last(row.id.s);
      cols.created.v.back() = row.created;
      cols.created.valid.back() = row.created != 0;
    } else {
      cols.null_row();
    }
  }
  Py_END_ALLOW_THREADS
  if (bad) {
    PyErr_SetString(PyExc_ValueError, "line offsets outside the block");
    return nullptr;
  }
  return columns_dict(
      {{"id", &cols.id}, {"author_id", &cols.author_id}, {"author_handle", &cols.handle},
       {"author_name", &cols.name}, {"author_bio", &cols.bio}, {"text", &cols.text}, {"lang", &cols.lang},
       {"kind", &cols.kind}, {"reply_to_id", &cols.reply_to}, {"reply_to_user_id", &cols.reply_user},
       {"quote_of_id", &cols.quote_of}, {"repost_of_id", &cols.repost_of},
       {"repost_of_author", &cols.repost_author}, {"rt_head", &cols.rt_head}},
      {{"author_followers", &cols.followers}, {"created_at", &cols.created}, {"like_count", &cols.likes},
       {"repost_count", &cols.reposts}, {"reply_count", &cols.replies}, {"quote_count", &cols.quotes}},
      {{"tags0", &cols.lists.tags}, {"mentions0", &cols.lists.mentions}, {"urls0", &cols.lists.urls}},
      {{"python", bitmap(cols.python)}, {"tombstone", bitmap(cols.tombstone)},
       {"author_verified", Py_BuildValue("(NN)", bitmap(cols.lists.verified_valid), bitmap(cols.lists.verified))}});
}

}  // namespace

PyObject* tagscope_map_v1(PyObject* self, PyObject* args) { return map(self, args); }
