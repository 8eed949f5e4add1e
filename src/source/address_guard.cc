// Special-use address ranges (IANA IPv4/IPv6 special-purpose registries) that downloads must not reach.
#include "source/address_guard.h"

#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace triage::source {
namespace {

struct Range {
  const char* cidr;
  const char* name;
};

// Every range here is refused unless allow-listed. IPv4-mapped and -compatible IPv6 are refused outright: no
// public host is published under them, and they are a classic way to smuggle 127.0.0.1 past a v4-only check.
constexpr Range kRanges[] = {
    {"0.0.0.0/8", "\"this network\" (0.0.0.0/8)"},
    {"10.0.0.0/8", "private (10.0.0.0/8)"},
    {"100.64.0.0/10", "carrier-grade NAT (100.64.0.0/10)"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private (172.16.0.0/12)"},
    {"192.0.0.0/24", "IETF protocol assignment (192.0.0.0/24)"},
    {"192.0.2.0/24", "documentation (192.0.2.0/24)"},
    {"192.88.99.0/24", "6to4 relay anycast"},
    {"192.168.0.0/16", "private (192.168.0.0/16)"},
    {"198.18.0.0/15", "benchmarking (198.18.0.0/15)"},
    {"198.51.100.0/24", "documentation (198.51.100.0/24)"},
    {"203.0.113.0/24", "documentation (203.0.113.0/24)"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved or broadcast (240.0.0.0/4)"},
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"::ffff:0:0/96", "IPv4-mapped IPv6"},
    {"::ffff:0:0:0/96", "IPv4-translated IPv6 (::ffff:0:0:0/96, SIIT)"},
    {"::/96", "IPv4-compatible IPv6"},
    {"64:ff9b:1::/48", "local-use NAT64 (64:ff9b:1::/48)"},
    {"100::/64", "discard-only (100::/64)"},
    {"2001::/32", "Teredo tunnel (2001::/32)"},
    {"2001:db8::/32", "documentation (2001:db8::/32)"},
    {"2002::/16", "6to4 tunnel (2002::/16)"},
    {"fc00::/7", "unique-local (fc00::/7)"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local (fec0::/10)"},
    {"ff00::/8", "multicast"},
};

const std::vector<std::pair<base::IpNetwork, std::string>>& Ranges() {
  static const auto kParsed = [] {
    std::vector<std::pair<base::IpNetwork, std::string>> out;
    for (const Range& r : kRanges) out.emplace_back(*base::ParseIpNetwork(r.cidr), r.name);
    return out;
  }();
  return kParsed;
}

bool IsNat64(const base::IpAddress& a) {
  static const base::IpNetwork kNat64 = *base::ParseIpNetwork("64:ff9b::/96");
  return a.v6 && kNat64.Contains(a);
}

}  // namespace

std::optional<std::string> SpecialUseRange(const base::IpAddress& address) {
  if (IsNat64(address)) {
    const auto& b = address.bytes;
    auto embedded = SpecialUseRange(base::Ipv4(b[12], b[13], b[14], b[15]));
    if (embedded) return "NAT64 of " + *embedded;
    return std::nullopt;
  }
  for (const auto& [network, name] : Ranges()) {
    // Contains() lets a v4 network match a mapped address; mapped addresses are meant to hit their own entry.
    if (network.base.v6 == address.v6 && network.Contains(address)) return name;
  }
  return std::nullopt;
}

base::Status CheckDestination(const base::IpAddress& address, const std::vector<base::IpNetwork>& allow_private) {
  auto range = SpecialUseRange(address);
  if (!range) return base::Status::Ok();
  for (const base::IpNetwork& allowed : allow_private) {
    if (allowed.Contains(address)) return base::Status::Ok();
  }
  return base::Status::PermissionDenied(fmt::format(
      "refused: {} is a special-use address ({}); downloads.allow_private can allow it", address.ToString(), *range));
}

base::Result<std::vector<base::IpAddress>> ResolveAndCheck(const std::string& host,
                                                           const std::vector<base::IpNetwork>& allow_private) {
  std::string name = host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0) {
    return base::Status::Unavailable(fmt::format("cannot resolve host {} ({})", host, ::gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(found, ::freeaddrinfo);
  std::vector<base::IpAddress> addresses;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    auto address = AddressOf(ai->ai_addr);
    if (!address) continue;
    TRIAGE_RETURN_IF_ERROR(CheckDestination(*address, allow_private));
    if (std::find(addresses.begin(), addresses.end(), *address) == addresses.end()) addresses.push_back(*address);
  }
  if (addresses.empty()) return base::Status::Unavailable(fmt::format("host {} has no IPv4 or IPv6 address", host));
  return addresses;
}

std::optional<base::IpAddress> AddressOf(const sockaddr* addr) {
  base::IpAddress out;
  if (addr->sa_family == AF_INET) {
    std::memcpy(out.bytes.data(), &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, 4);
    return out;
  }
  if (addr->sa_family == AF_INET6) {
    out.v6 = true;
    std::memcpy(out.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, 16);
    return out;
  }
  return std::nullopt;
}

}  // namespace triage::source
