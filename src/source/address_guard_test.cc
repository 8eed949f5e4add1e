// Specification of the URL guard's address rule, one row per special-use range and some public neighbours.
#include "source/address_guard.h"

#include <gtest/gtest.h>

namespace triage::source {
namespace {

base::IpAddress Ip(const std::string& text) {
  auto ip = base::ParseIpAddress(text);
  EXPECT_TRUE(ip.ok()) << text;
  return ip.ok() ? *ip : base::IpAddress{};
}

TEST(AddressGuardTest, ClassifiesSpecialUseAddresses) {
  struct Case {
    std::string address;
    std::string range;  // a fragment of the range's name
  };
  const std::vector<Case> cases = {
      {"0.0.0.0", "this network"},
      {"0.1.2.3", "this network"},
      {"10.0.0.1", "private"},
      {"10.255.255.255", "private"},
      {"100.64.0.1", "carrier-grade"},
      {"100.127.255.254", "carrier-grade"},
      {"127.0.0.1", "loopback"},
      {"127.255.0.9", "loopback"},
      {"169.254.169.254", "link-local"},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"192.0.0.8", "IETF"},
      {"192.0.2.1", "documentation"},
      {"192.168.1.1", "private"},
      {"198.18.0.1", "benchmarking"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"240.0.0.1", "reserved"},
      {"255.255.255.255", "broadcast"},
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"::ffff:127.0.0.1", "IPv4-mapped"},
      {"::ffff:8.8.8.8", "IPv4-mapped"},
      {"::127.0.0.1", "IPv4-compatible"},
      {"::ffff:0:7f00:1", "IPv4-translated"},  // SIIT's form of 127.0.0.1
      {"64:ff9b::7f00:1", "NAT64 of loopback"},
      {"64:ff9b:1::1", "local-use NAT64"},
      {"fc00::1", "unique-local"},
      {"fd12:3456::1", "unique-local"},
      {"fe80::1", "link-local"},
      {"fec0::1", "site-local"},
      {"ff02::1", "multicast"},
      {"2001:db8::1", "documentation"},
      {"2002:7f00:1::1", "6to4"},
      {"2001::1", "Teredo"},
      {"100::1", "discard"},
  };
  for (const Case& c : cases) {
    auto range = SpecialUseRange(Ip(c.address));
    ASSERT_TRUE(range.has_value()) << c.address;
    EXPECT_NE(range->find(c.range), std::string::npos) << c.address << " -> " << *range;
  }
}

TEST(AddressGuardTest, PublicAddressesPass) {
  for (const std::string public_address :
       {"8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
        "128.0.0.1", "169.253.0.1", "172.15.255.255", "172.32.0.0", "192.167.0.1", "192.169.0.1", "223.255.255.255",
        "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "64:ff9b::808:808"}) {
    EXPECT_EQ(SpecialUseRange(Ip(public_address)), std::nullopt) << public_address;
    EXPECT_TRUE(CheckDestination(Ip(public_address), {}).ok()) << public_address;
  }
}

TEST(AddressGuardTest, RefusesUnlessAllowListed) {
  base::Status refused = CheckDestination(Ip("127.0.0.1"), {});
  EXPECT_EQ(refused.code(), base::Code::kPermissionDenied);
  EXPECT_EQ(refused.message(),
            "refused: 127.0.0.1 is a special-use address (loopback); downloads.allow_private can allow it");
  const std::vector<base::IpNetwork> lan = {*base::ParseIpNetwork("192.168.0.0/16"), *base::ParseIpNetwork("fd00::/8")};
  EXPECT_TRUE(CheckDestination(Ip("192.168.1.50"), lan).ok());
  EXPECT_TRUE(CheckDestination(Ip("::ffff:192.168.1.50"), lan).ok());
  EXPECT_TRUE(CheckDestination(Ip("fd00::5"), lan).ok());
  EXPECT_FALSE(CheckDestination(Ip("10.0.0.1"), lan).ok());
  EXPECT_FALSE(CheckDestination(Ip("127.0.0.1"), lan).ok());
  EXPECT_FALSE(CheckDestination(Ip("fe80::1"), lan).ok());
}

}  // namespace
}  // namespace triage::source
