#include "emulator/connection_drop.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace emulator {
namespace {

// The numeric address and port of a socket address, as httplib reports them.
bool address_of(const sockaddr_storage& addr, std::string& host, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto& in = reinterpret_cast<const sockaddr_in&>(addr);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    port = ntohs(in.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    port = ntohs(in6.sin6_port);
  } else {
    return false;
  }
  host = text;
  return true;
}

bool is_connection_of(int fd, const httplib::Request& req) {
  sockaddr_storage peer{}, local{};
  socklen_t peer_len = sizeof peer, local_len = sizeof local;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return false;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return false;
  std::string peer_host, local_host;
  int peer_port = 0, local_port = 0;
  return address_of(peer, peer_host, peer_port) && address_of(local, local_host, local_port) &&
         peer_port == req.remote_port && peer_host == req.remote_addr &&
         local_port == req.local_port;
}

int find_connection_fd(const httplib::Request& req) {
  if (req.ssl) return SSL_get_fd(req.ssl);
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return -1;
  int found = -1;
  while (dirent* e = readdir(fds)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    if (is_connection_of(int(fd), req)) {
      found = int(fd);
      break;
    }
  }
  closedir(fds);
  return found;
}

}  // namespace

bool drop_connection(const httplib::Request& req) {
  int fd = find_connection_fd(req);
  if (fd < 0) return false;
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  shutdown(fd, SHUT_RDWR);
  return true;
}

uint64_t close_after_answer(const httplib::Request& req, httplib::Response& res) {
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  if (body->empty()) return 0;
  std::string type = res.get_header_value("Content-Type");
  res.headers.erase("Content-Type");
  int fd = find_connection_fd(req);
  res.set_content_provider(
      body->size(), type, [body, fd](size_t offset, size_t length, httplib::DataSink& sink) {
        if (!sink.write(body->data() + offset, length)) return false;
        if (fd >= 0) ::shutdown(fd, SHUT_WR);
        return true;
      });
  return body->size();
}

}  // namespace emulator
