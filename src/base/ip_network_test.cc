// Specification of strict IP address and CIDR parsing.
#include "base/ip_network.h"

#include <gtest/gtest.h>

namespace triage::base {
namespace {

TEST(IpNetworkTest, ParsesCanonicalAddressesOnly) {
  EXPECT_EQ(ParseIpAddress("192.168.1.20")->ToString(), "192.168.1.20");
  EXPECT_EQ(ParseIpAddress("fd00::1")->ToString(), "fd00::1");
  EXPECT_TRUE(ParseIpAddress("::ffff:127.0.0.1")->v6);
  for (const std::string bad : {"127.1", "0x7f.0.0.1", "2130706433", "0177.0.0.1", "1.2.3.4.5", "", "[::1]", "a::g"}) {
    EXPECT_FALSE(ParseIpAddress(bad).ok()) << bad;
  }
}

TEST(IpNetworkTest, ParsesCidrAndTestsMembership) {
  auto lan = ParseIpNetwork("192.168.0.0/16");
  ASSERT_TRUE(lan.ok()) << lan.status().ToString();
  EXPECT_TRUE(lan->Contains(Ipv4(192, 168, 7, 9)));
  EXPECT_FALSE(lan->Contains(Ipv4(192, 169, 0, 1)));
  EXPECT_TRUE(lan->Contains(*ParseIpAddress("::ffff:192.168.3.4")));  // the mapped spelling of the same host
  EXPECT_FALSE(lan->Contains(*ParseIpAddress("fd00::1")));
  auto ula = ParseIpNetwork("fd00::/8");
  ASSERT_TRUE(ula.ok());
  EXPECT_TRUE(ula->Contains(*ParseIpAddress("fd12:3456::1")));
  EXPECT_FALSE(ula->Contains(Ipv4(10, 0, 0, 1)));
  EXPECT_TRUE(ParseIpNetwork("0.0.0.0/0")->Contains(Ipv4(8, 8, 8, 8)));
  EXPECT_TRUE(ParseIpNetwork("10.1.2.3/32")->Contains(Ipv4(10, 1, 2, 3)));
  EXPECT_TRUE(ParseIpNetwork("172.16.0.0/12")->Contains(Ipv4(172, 31, 255, 255)));
  EXPECT_FALSE(ParseIpNetwork("172.16.0.0/12")->Contains(Ipv4(172, 32, 0, 0)));
}

TEST(IpNetworkTest, RefusesSloppyCidrNamingTheProblem) {
  struct Case {
    std::string text;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{{"10.0.0.0", "not a CIDR network"},
                                         {"10.0.0.1/8", "did you mean 10.0.0.0/8"},
                                         {"10.0.0.0/33", "from 0 to 32"},
                                         {"fd00::/129", "from 0 to 128"},
                                         {"10.0.0.0/", "prefix length"},
                                         {"10.0.0.0/08", "prefix length"},
                                         {"10.0.0.0/-1", "prefix length"},
                                         {"10.0/8", "not an IPv4 or IPv6 address"},
                                         {"lan/24", "not an IPv4 or IPv6 address"}}) {
    auto network = ParseIpNetwork(c.text);
    ASSERT_FALSE(network.ok()) << c.text;
    EXPECT_EQ(network.status().code(), Code::kInvalidArgument);
    EXPECT_NE(network.status().message().find(c.expected), std::string::npos) << network.status().message();
  }
}

}  // namespace
}  // namespace triage::base
