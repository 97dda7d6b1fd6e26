import Foundation
import XCTest

/// A real origin on loopback: Debian's nginx with its WebDAV module (PUT, DELETE, full paths created),
/// run in the foreground as this user from a private folder. `refuse` makes every write a 403.
final class NginxOrigin {
    let root: String
    let port: UInt16
    private let prefix: String
    private var process: Background?

    var base: String { "http://127.0.0.1:\(port)/live/" }
    var folder: String { root + "/live" }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") }

    init(_ test: XCTestCase, refuse: Bool = false) throws {
        try XCTSkipUnless(Self.available, "nginx is not installed (tools/setup.sh installs nginx-light)")
        prefix = try temporaryFolder(test, "nginx")
        root = prefix + "/www"
        port = freePort()
        for folder in [prefix, root, root + "/live", prefix + "/tmp"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let writes = refuse ? "limit_except GET HEAD { deny all; }" : "dav_methods PUT DELETE; create_full_put_path on; dav_access user:rw group:r all:r;"
        let config = """
        daemon off;
        master_process off;
        worker_processes 1;
        pid \(prefix)/nginx.pid;
        error_log \(prefix)/error.log warn;
        events { worker_connections 256; }
        http {
            access_log \(prefix)/access.log;
            client_body_temp_path \(prefix)/tmp;
            proxy_temp_path \(prefix)/tmp;
            fastcgi_temp_path \(prefix)/tmp;
            uwsgi_temp_path \(prefix)/tmp;
            scgi_temp_path \(prefix)/tmp;
            client_max_body_size 0;
            types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; video/mp4 m4s mp4; }
            server {
                listen 127.0.0.1:\(port);
                root \(root);
                location /live/ { \(writes) }
            }
        }
        """
        try config.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        try start()
    }

    func start() throws {
        process = try Background("/usr/sbin/nginx", ["-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"],
                                 log: prefix + "/stdout.log")
        let up = eventually(timeout: 10) { httpRequest("http://127.0.0.1:\(port)/").status != nil }
        XCTAssertTrue(up, "nginx did not start: \((try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? "")")
    }

    func stop() {
        process?.signal(SIGKILL)
        process?.wait(timeout: 5)
        process = nil
    }

    /// Requests by method in the access log.
    func requests(_ method: String) -> [String] {
        let log = (try? String(contentsOfFile: prefix + "/access.log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            guard let start = line.range(of: "\"\(method) ") else { return nil }
            return line[start.upperBound...].split(separator: " ").first.map(String.init)
        }
    }

    deinit { stop() }
}
