import CFastCGI
import Foundation

/// The listening socket and who may connect to it.
///
/// A unix socket is created mode 0660 (the umask is narrowed around `bind`, so there is no moment
/// when it is wider) in a directory of its own, mode 0700, or 0750 when `group` is given: then
/// socket and directory belong to that group (e.g. `www-data`, the user a system nginx runs its
/// workers as), and only the owner and that group can reach it. libfcgi trusts everything a
/// connection sends (a malformed PARAMS record aborts the process, and `REMOTE_ADDR` is taken as
/// given), so nothing but nginx may connect.
struct ListeningSocket {
    let path: String
    let group: String?

    var isUnix: Bool { !path.contains(":") }

    /// Opens the socket; returns its descriptor.
    func open() throws -> Int32 {
        guard isUnix else {
            let fd = FCGX_OpenSocket(path, 1024)
            guard fd >= 0 else { throw ServerError("cannot listen on \(path): \(String(cString: strerror(errno)))") }
            return fd
        }
        let gid = try group.map(Self.groupID)
        let directory = (path as NSString).deletingLastPathComponent
        try prepare(directory: directory.isEmpty ? "." : directory, gid: gid)
        unlink(path)
        let previous = umask(0o117)
        let fd = FCGX_OpenSocket(path, 1024)
        let failure = errno
        umask(previous)
        guard fd >= 0 else { throw ServerError("cannot listen on \(path): \(String(cString: strerror(failure)))") }
        if let gid, chown(path, uid_t.max, gid) != 0 {
            throw ServerError("cannot give \(path) to group \(group!): \(String(cString: strerror(errno)))")
        }
        chmod(path, 0o660)
        return fd
    }

    /// Creates the socket's directory if needed; with a group, hands it to the group (0750).
    private func prepare(directory: String, gid: gid_t?) throws {
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        if !existed {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw ServerError("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
        }
        if let gid {
            guard chown(directory, uid_t.max, gid) == 0 else {
                throw ServerError("cannot give \(directory) to group \(group!): \(String(cString: strerror(errno)))")
            }
            chmod(directory, 0o750)
        } else if !existed {
            chmod(directory, 0o700)
        }
    }

    static func groupID(_ name: String) throws -> gid_t {
        if let number = gid_t(name) { return number }
        guard let entry = getgrnam(name) else { throw ServerError("unknown group \(name) (--socket-group)") }
        return entry.pointee.gr_gid
    }

    func remove() {
        if isUnix { unlink(path) }
    }
}
