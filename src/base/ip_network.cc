// Strict parsing of IP addresses and CIDR networks over inet_pton / inet_ntop.
#include "base/ip_network.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace triage::base {
namespace {

bool IsMapped(const IpAddress& a) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return a.v6 && std::memcmp(a.bytes.data(), kPrefix, sizeof kPrefix) == 0;
}

// True when the first `bits` bits of a and b are equal.
bool SamePrefix(const IpAddress& a, const IpAddress& b, int bits) {
  for (int i = 0; i < bits / 8; ++i) {
    if (a.bytes[i] != b.bytes[i]) return false;
  }
  if (bits % 8 == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits % 8));
  return (a.bytes[bits / 8] & mask) == (b.bytes[bits / 8] & mask);
}

IpAddress Masked(IpAddress a, int bits) {
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(bits - i * 8, 0, 8);
    a.bytes[i] = static_cast<uint8_t>(a.bytes[i] & (keep == 0 ? 0 : 0xFF << (8 - keep)));
  }
  return a;
}

}  // namespace

IpAddress Ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress out;
  out.bytes = {a, b, c, d};
  return out;
}

IpAddress IpAddress::Unmapped() const {
  if (!IsMapped(*this)) return *this;
  return Ipv4(bytes[12], bytes[13], bytes[14], bytes[15]);
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {0};
  ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

Result<IpAddress> ParseIpAddress(const std::string& text) {
  IpAddress out;
  if (::inet_pton(AF_INET, text.c_str(), out.bytes.data()) == 1) return out;
  out.v6 = true;
  if (::inet_pton(AF_INET6, text.c_str(), out.bytes.data()) == 1) return out;
  return Status::InvalidArgument(fmt::format("\"{}\" is not an IPv4 or IPv6 address", text));
}

bool IpNetwork::Contains(const IpAddress& address) const {
  const IpAddress candidate = base.v6 ? address : address.Unmapped();
  return candidate.v6 == base.v6 && SamePrefix(candidate, base, prefix_bits);
}

std::string IpNetwork::ToString() const { return fmt::format("{}/{}", base.ToString(), prefix_bits); }

Result<IpNetwork> ParseIpNetwork(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("\"{}\" is not a CIDR network (address/prefix, e.g. 192.168.0.0/16)", text));
  }
  auto address = ParseIpAddress(text.substr(0, slash));
  if (!address.ok()) return Status::InvalidArgument(fmt::format("\"{}\": {}", text, address.status().message()));
  const std::string bits_text = text.substr(slash + 1);
  const int max_bits = address->BitCount();
  const bool digits = !bits_text.empty() && bits_text.size() <= 3 &&
                      bits_text.find_first_not_of("0123456789") == std::string::npos &&
                      (bits_text.size() == 1 || bits_text[0] != '0');
  if (!digits || std::stoi(bits_text) > max_bits) {
    return Status::InvalidArgument(
        fmt::format("\"{}\": the prefix length must be a number from 0 to {}", text, max_bits));
  }
  IpNetwork network{*address, std::stoi(bits_text)};
  const IpAddress masked = Masked(network.base, network.prefix_bits);
  if (!(masked == network.base)) {
    return Status::InvalidArgument(fmt::format("\"{}\" has bits set beyond the prefix; did you mean {}/{}?", text,
                                               masked.ToString(), network.prefix_bits));
  }
  return network;
}

}  // namespace triage::base
