import Foundation

/// TCP sockets on 127.0.0.1 for the stand-in servers of the tests.
public enum Loopback {
    /// A socket bound to a free port the system picked, and that port; `backlog` nil: not
    /// listening (the port is only reserved until the socket is closed).
    public static func bind(listening backlog: Int32? = nil) throws -> (socket: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, backlog.map({ listen(fd, $0) == 0 }) ?? true else {
            close(fd)
            throw TestFailure("cannot bind a loopback port")
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port nothing listens on now (bound, read back, closed), to hand to another process.
    public static func freePort() throws -> UInt16 {
        let (fd, port) = try bind()
        close(fd)
        return port
    }
}
