// tools/ws_frame_scanner.hpp: what the fan-out load driver reads of each
// server message (its two ends), whatever the read boundaries.
#include "tools/ws_frame_scanner.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ioc::tools {
namespace {

std::string frame(int opcode, bool fin, const std::string& payload) {
  std::string f(1, static_cast<char>((fin ? 0x80 : 0) | opcode));
  const std::uint64_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(n);
  } else if (n < 65536) {
    f += static_cast<char>(126);
    for (int i = 1; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xff);
  } else {
    f += static_cast<char>(127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xff);
  }
  return f + payload;
}

std::string pattern(std::size_t n) {
  std::string s(n, ' ');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return s;
}

struct seen {
  int opcode;
  std::uint64_t size;
  std::string head, tail;
};

std::vector<seen> scan(const std::string& bytes, std::size_t chunk, std::string* whole = nullptr) {
  ws_frame_scanner s(whole);
  std::vector<seen> out;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    s.feed(bytes.data() + at, std::min(chunk, bytes.size() - at), [&](const ws_frame& f) {
      out.push_back({f.opcode, f.size, std::string(f.head), std::string(f.tail)});
    });
  }
  return out;
}

TEST(WsFrameScanner, EndsOfEachMessageWhateverTheReadSizes) {
  const std::string small = pattern(40), medium = pattern(8202), large = pattern(70000);
  const std::string bytes = frame(1, true, small) + frame(1, true, medium) + frame(2, true, large) + frame(1, true, "");
  for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, bytes.size()}) {
    const auto got = scan(bytes, chunk);
    ASSERT_EQ(got.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(got[0].head, small);
    EXPECT_EQ(got[0].tail, small);
    EXPECT_EQ(got[1].size, 8202u);
    EXPECT_EQ(got[1].head, medium.substr(0, ws_frame_scanner::head_cap));
    EXPECT_EQ(got[1].tail, medium.substr(8202 - ws_frame_scanner::tail_cap));
    EXPECT_EQ(got[2].opcode, 2);
    EXPECT_EQ(got[2].size, 70000u);
    EXPECT_EQ(got[2].tail, large.substr(70000 - ws_frame_scanner::tail_cap));
    EXPECT_EQ(got[3].size, 0u);
  }
}

TEST(WsFrameScanner, FragmentsJoinAndAPingBetweenThemStandsApart) {
  // Beast fragments a long message; the end fields may straddle two fragments.
  const std::string first = pattern(5000), last = "\"newestArrivalMs\":\"1795640568536\"}";
  const std::string bytes = frame(1, false, first) + frame(9, true, "hi") + frame(0, true, last);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{13}, bytes.size()}) {
    std::string whole;
    const auto got = scan(bytes, chunk, &whole);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].opcode, 9);
    EXPECT_EQ(got[0].head, "hi");
    EXPECT_EQ(got[1].opcode, 1);
    EXPECT_EQ(got[1].size, first.size() + last.size());
    EXPECT_EQ(got[1].tail, (first + last).substr(first.size() + last.size() - ws_frame_scanner::tail_cap));
    EXPECT_EQ(json_int_after(got[1].tail, "\"newestArrivalMs\""), 1795640568536);
    EXPECT_EQ(whole, first + last);
  }
}

TEST(WsFrameScanner, ReadsQuotedAndBareIntegers) {
  const std::string head = R"({"epoch":"1795640483606","seq":"143","serverTimeMs":"1795640568544","delta":{)";
  EXPECT_EQ(json_int_after(head, "\"seq\""), 143);
  EXPECT_EQ(json_int_after(head, "\"serverTimeMs\""), 1795640568544);
  EXPECT_EQ(json_int_after(R"({"t":1795640666562876,"pad":")", "\"t\""), 1795640666562876);
  EXPECT_EQ(json_int_after(head, "\"oldestArrivalMs\""), 0);
}

}  // namespace
}  // namespace ioc::tools
