// Probe (not part of tagscope): how fast does simdjson On-Demand pull the fields tagscope maps from
// v1.1 JSON lines? Build and run: see bench/RESULTS.md, Session 5 ("a native mapper?").
#include <simdjson.h>
#include <cstdio>
#include <chrono>
#include <string>
#include <vector>
using namespace simdjson;
int main(int argc, char** argv) {
  padded_string json = padded_string::load(argv[1]).value();
  ondemand::parser parser;
  auto t0 = std::chrono::steady_clock::now();
  ondemand::document_stream docs = parser.iterate_many(json, 1 << 20).value();
  size_t n = 0, tags = 0, bytes = 0, rts = 0, errs = 0;
  std::vector<std::string_view> out;
  for (auto doc : docs) {
    ondemand::object obj;
    if (doc.get_object().get(obj)) { errs++; continue; }
    // fields in one pass over the object's keys, as a mapper would
    for (auto field : obj) {
      std::string_view key = field.unescaped_key().value();
      if (key == "id_str" || key == "created_at" || key == "text" || key == "lang") {
        std::string_view v; if (!field.value().get_string().get(v)) bytes += v.size();
      } else if (key == "user") {
        ondemand::object u; if (field.value().get_object().get(u)) continue;
        for (auto uf : u) {
          std::string_view k = uf.unescaped_key().value();
          if (k == "id_str" || k == "screen_name" || k == "name" || k == "description") {
            std::string_view v; if (!uf.value().get_string().get(v)) bytes += v.size();
          } else if (k == "followers_count") { int64_t x; if (!uf.value().get_int64().get(x)) bytes += 1; }
        }
      } else if (key == "entities" || key == "retweeted_status" || key == "extended_tweet") {
        ondemand::object e; if (field.value().get_object().get(e)) continue;
        if (key == "retweeted_status") rts++;
        for (auto ef : e) {
          std::string_view k = ef.unescaped_key().value();
          if (k == "hashtags") {
            ondemand::array a; if (ef.value().get_array().get(a)) continue;
            for (auto h : a) { std::string_view v; if (!h["text"].get_string().get(v)) { tags++; bytes += v.size(); } }
          } else if (k == "text" || k == "id_str" || k == "full_text") {
            std::string_view v; if (!ef.value().get_string().get(v)) bytes += v.size();
          }
        }
      }
    }
    n++;
  }
  auto t1 = std::chrono::steady_clock::now();
  printf("docs %zu errs %zu rts %zu tags %zu bytes %zu  %.2f s\n", n, errs, rts, tags, bytes,
         std::chrono::duration<double>(t1 - t0).count());
}
