import Foundation
import LiveLadderCore
import LiveLadderServer
import LiveLadderWorker
import Logging
import ServiceLifecycle

/// Everything one `liveladder run` runs, in one swift-service-lifecycle `ServiceGroup`: the pipeline, and
/// beside it what observes its event stream — the HTTP server (`--http`), the events file, the progress
/// line, the systemd notifier — plus the instant observers (status, alerts, metrics) on the bus.
///
/// Every observer subscribes here, before the pipeline emits its first event. A setting that cannot
/// work (an `--http` address refused, an `--events` path that cannot be written) ends the process with
/// one line and exit 3 before anything runs.
struct RunServices {
    let group: ServiceGroup
    let pipeline: RunService

    init(options given: RunOptions, logger: Logger, worker: WorkerOptions, server: ServerOptions, push: PushOptions = PushOptions()) {
        var options = given
        let events = RunEventBus()
        let status = RunStatusModel()
        let alerts = AlertRules(events: events)
        events.add(status)
        events.add(alerts)

        let http: HTTPServerConfiguration?
        do {
            http = try server.configuration()
        } catch {
            fail("\(error)", code: LiveLadderError.Kind.badConfig.rawValue)
        }
        let metrics = http.map { _ -> MetricsObserver in
            let metrics = MetricsObserver(build: .current())
            events.add(metrics)
            return metrics
        }
        // --serve: the origin is one more destination of everything published. On --http's own address
        // it shares that server; elsewhere it has its own.
        var store: OriginStore?
        var ownOrigin: OriginServer?
        if let listen = server.serve {
            do {
                let (host, port) = try OriginServer.parse(listen: listen)
                let shared = OriginStore(outputDirectory: options.output)
                if let metrics { shared.attach(metrics.originMetrics()) }
                options.destinations.append(shared)
                store = shared
                if let http, http.host == host, http.port == port {
                    // The worker server serves it.
                } else {
                    ownOrigin = OriginServer(host: host, port: port, store: shared, metrics: metrics?.originMetrics(), logger: logger)
                }
            } catch {
                fail("\(error)", code: LiveLadderError.Kind.badConfig.rawValue)
            }
        }
        // --push: one more destination per origin. The run's end waits for them to deliver while they keep
        // acknowledging; `drainLimit` without a 2xx (3 segment durations + 2 s, 5 to 30 s) ends the wait.
        let pushes: RunPushes
        do {
            pushes = RunPushes(targets: try push.targets(), events: events, segmentDuration: options.config.segmentDuration, logger: logger)
        } catch {
            fail("\(error)", code: LiveLadderError.Kind.badConfig.rawValue)
        }
        options.destinations += pushes.destinations as [any PublishDestination]
        let drainLimit = Duration.milliseconds(Int(min(max(3 * options.config.segmentDuration + 2, 5), 30) * 1000))
        let origin = ownOrigin
        let sharedStore = origin == nil ? store : nil
        let web = metrics.flatMap { metrics in
            http.map { WorkerHTTPServer(configuration: $0, metrics: metrics, status: status, bus: events, commands: nil,
                                        version: LiveLadderVersion.version, source: CloudEvent.defaultSource, origin: sharedStore,
                                        logger: logger) }
        }
        let observers: (services: [any Service], notifier: SystemdNotifier?)
        do {
            observers = try WorkerObservers.make(events: worker.events, includeSegments: worker.eventsSegments, quiet: worker.quiet,
                                                 bus: events, status: status, banner: BannerInfo(httpAddress: http.map(Self.address)),
                                                 logger: logger)
        } catch let error as WorkerSetupError {
            fail(error.message, code: LiveLadderError.Kind.badConfig.rawValue)
        } catch {
            fail("\(error)", code: LiveLadderError.Kind.badConfig.rawValue)
        }

        let ladder = LadderRun(options: options, logger: logger, events: events)
        web?.setCommands(ladder)
        let notifier = observers.notifier
        pipeline = RunService(ladder: ladder, status: status, alerts: alerts, onStopping: { notifier?.stopping() },
                              drain: { await pushes.drain(within: drainLimit) }, gate: {
            // The worker interface listens before the pipeline starts, or the run does not start: a
            // supervisor probing a port that is not there would restart a healthy channel.
            if let web, await web.boundPort() == nil {
                return RunEnding(refused: "--http \(Self.address(web.configuration)): cannot listen there: \(web.listenFailure ?? "the server stopped"); choose another port",
                                 code: LiveLadderError.Kind.badConfig.rawValue)
            }
            if let origin, await origin.boundPort() == nil {
                return RunEnding(refused: "--serve \(origin.host.contains(":") ? "[\(origin.host)]" : origin.host):\(origin.port): cannot listen there: \(origin.listenFailure ?? "the server stopped"); choose another port",
                                 code: LiveLadderError.Kind.badConfig.rawValue)
            }
            return nil
        })

        var quiet = logger
        quiet.logLevel = .error
        // The group shuts services down in reverse order: the pipeline (last) stops first and ends the
        // event stream; the observers before it keep reading until then, so no last event is lost.
        let beside = (web.map { [$0 as any Service] } ?? []) + (origin.map { [$0 as any Service] } ?? []) + observers.services
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: beside.map { .init(service: $0, successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup) }
                + [.init(service: pipeline, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: quiet))
    }

    /// `127.0.0.1:9090`, `[::1]:9090`.
    static func address(_ configuration: HTTPServerConfiguration) -> String {
        configuration.host.contains(":") ? "[\(configuration.host)]:\(configuration.port)" : "\(configuration.host):\(configuration.port)"
    }
}
