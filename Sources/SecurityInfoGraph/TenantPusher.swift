import Foundation
import Logging
import SecurityInfo
import SecurityInfoFormats

/// One tenant's batches, in the file's order: a batch starts once every earlier batch holding one of its users has
/// ended, so a user's requests are made in order even when several of the tenant's batches are in flight.
struct TenantPusher: Sendable {
    let tenant: GraphTenant
    let batches: [PushBatch]
    let run: PushRun
    let limit: InFlightLimit
    let concurrency: Int

    func push() async {
        // For each batch, the earlier batches it must wait for: those sharing a user with it.
        var lastBatchOfUser: [String: Int] = [:]
        var waitsFor: [Set<Int>] = []
        for (index, batch) in batches.enumerated() {
            var earlier: Set<Int> = []
            for request in batch.requests {
                let user = PushRun.userKey(request)
                if let previous = lastBatchOfUser[user], previous != index { earlier.insert(previous) }
                lastBatchOfUser[user] = index
            }
            waitsFor.append(earlier)
        }
        let stopped = await withTaskGroup(of: (Int, TenantUnavailable?).self) { group -> TenantUnavailable? in
            var next = 0
            var running = 0
            var ended: Set<Int> = []
            var failure: TenantUnavailable?
            while true {
                while failure == nil, next < batches.count, running < max(1, concurrency),
                    waitsFor[next].isSubset(of: ended)
                {
                    let index = next
                    let batch = batches[index]
                    let sender = BatchSender(tenant: tenant, batch: batch, run: run, limit: limit)
                    group.addTask {
                        do throws(TenantUnavailable) {
                            try await sender.send()
                            return (index, nil)
                        } catch {
                            return (index, error)
                        }
                    }
                    next += 1
                    running += 1
                }
                guard let (index, error) = await group.next() else { break }
                running -= 1
                ended.insert(index)
                if let error, failure == nil { failure = error }
            }
            return failure
        }
        if let stopped {
            run.markUnavailable(stopped)
            run.logger.error("\(stopped.description); its remaining requests are not sent")
            let unsent = batches.flatMap(\.requests).filter { run.ledger.state(of: $0.key)?.isDone != true }
            run.markNotSent(unsent, "not sent: \(stopped.reason)")
        }
    }
}

/// Sends one batch of the file: what the ledger does not record as done, the requests that were in flight
/// checked first, the throttled sent again after their `Retry-After`, each end written to the ledger.
struct BatchSender: Sendable {
    let tenant: GraphTenant
    let batch: PushBatch
    let run: PushRun
    let limit: InFlightLimit

    func send() async throws(TenantUnavailable) {
        // A tenant that gives no token has nothing recorded as sent: a rerun sends its requests without a check.
        try await run.client.authenticate(tenant)
        var pending: [PushRequest] = []
        var uncertain: [PushRequest] = []
        var skipped: [PushRequest] = []
        for request in batch.requests {
            let state = run.ledger.state(of: request.key)
            if state?.isDone == true { continue }
            if run.hasFailed(request) {
                skipped.append(request)
            } else if state == .sent {
                uncertain.append(request)
            } else {
                pending.append(request)
            }
        }
        try skip(skipped, "an earlier request of this user failed")
        if !uncertain.isEmpty {
            let absent = try await unmade(uncertain)
            // Keep the batch's order: a request checked and not made goes where it was.
            let toSend = Set((pending + absent).map(\.id))
            pending = batch.requests.filter { toSend.contains($0.id) }
        }
        var attempt = 1
        while !pending.isEmpty {
            let sending = pending.filter { !run.hasFailed($0) }
            try skip(pending.filter { run.hasFailed($0) }, "an earlier request of this user failed")
            guard !sending.isEmpty else { return }
            try record(sending.map { run.entry($0, status: nil, code: PushLedger.sentCode) }, sending)
            let ids = Set(sending.map(\.id))
            let body = BatchRequest.encode(
                sending.map { request in
                    BatchRequest(
                        id: request.id, method: request.method, url: request.url, body: request.body,
                        dependsOn: request.dependsOn.filter(ids.contains))
                })
            let exchange = try await limit.holding { () async throws(TenantUnavailable) -> Exchange in
                try await run.client.postBatch(body, version: batch.version, tenant: tenant)
            }
            var again: [PushRequest] = []
            var retryAfter: String?
            switch exchange {
            case .lost(let reason):
                // Some of the batch may have been made: what is not there yet is sent again, nothing twice.
                run.logger.warning(
                    "tenant \(tenant.name): a batch's answer was lost (\(reason)); checking before sending again")
                again = try await unmade(sending)
            case .answered(let response) where response.status == 200:
                guard let answers = try? BatchAnswers(response.body) else {
                    again = try await unmade(sending)
                    break
                }
                var entries: [PushLedger.Entry] = []
                for request in sending {
                    guard let answer = answers.byID[request.id] else {
                        again.append(request)
                        continue
                    }
                    if answer.succeeded {
                        entries.append(run.entry(request, status: answer.status, code: ""))
                    } else if RetryPolicy.isRetryable(status: answer.status) {
                        again.append(request)
                        retryAfter = RetryPolicy.longer(retryAfter, answer.retryAfter)
                    } else if answer.status == 424,
                        request.dependsOn.contains(where: { id in again.contains { $0.id == id } })
                    {
                        // Its dependency was throttled: it waits for it.
                        again.append(request)
                    } else if answer.status == 424 {
                        entries.append(
                            run.entry(
                                request, status: nil, code: PushLedger.skippedCode,
                                message: "not made: the request it depends on failed"))
                    } else {
                        entries.append(
                            run.entry(
                                request, status: answer.status, code: answer.errorCode, message: answer.errorMessage))
                    }
                }
                try record(entries, sending)
            case .answered(let response) where response.status == 401 || response.status == 403:
                let refusal = GraphRefusal(response)
                throw TenantUnavailable(tenant: tenant.name, reason: refusal.reason)
            case .answered(let response) where RetryPolicy.isRetryable(status: response.status):
                // The client's tries are spent: Graph ran none of the batch.
                run.markNotSent(sending, "not sent: Graph still answered \(response.status) after \(attempt) tries")
                return
            case .answered(let response):
                let refusal = GraphRefusal(response)
                try record(
                    sending.map {
                        run.entry(
                            $0, status: response.status, code: refusal.code, message: "the batch: \(refusal.message)")
                    }, sending)
            }
            pending = again
            guard !pending.isEmpty else { return }
            guard attempt < run.client.retry.maximumTries else {
                run.markNotSent(pending, "not sent: still throttled after \(attempt) tries")
                return
            }
            run.client.onRetry(tenant.name, "requests throttled")
            do {
                try await Task.sleep(for: run.client.retry.delay(afterAttempt: attempt, retryAfter: retryAfter))
            } catch {
                throw TenantUnavailable(tenant: tenant.name, reason: .unreachable("cancelled"))
            }
            attempt += 1
        }
    }

    private func skip(_ requests: [PushRequest], _ why: String) throws(TenantUnavailable) {
        try record(requests.map { run.entry($0, status: nil, code: PushLedger.skippedCode, message: why) }, requests)
    }

    private func record(_ entries: [PushLedger.Entry], _ requests: [PushRequest]) throws(TenantUnavailable) {
        do { try run.record(entries, requests: requests) } catch {
            throw TenantUnavailable(tenant: tenant.name, reason: .unreachable("the ledger cannot be written: \(error)"))
        }
    }

    /// Of requests that may have been made, those that were not: each user's methods (and preferences) read
    /// now, and the made ones recorded as `alreadyApplied`. A user whose state fits no prefix of its requests was
    /// changed by someone else meanwhile: its requests are recorded as failed, for a person to look at.
    private func unmade(_ requests: [PushRequest]) async throws(TenantUnavailable) -> [PushRequest] {
        var unmade: Set<String> = []
        var entries: [PushLedger.Entry] = []
        var users: [Substring: [PushRequest]] = [:]
        var order: [Substring] = []
        for request in requests {
            let segment = request.url.split(separator: "/")[1]
            if users[segment] == nil { order.append(segment) }
            users[segment, default: []].append(request)
        }
        for segment in order {
            let chain = users[segment]!
            let base = "/beta/users/\(segment)/authentication"
            let methods = try await limit.holding { () async throws(TenantUnavailable) -> GraphResponse in
                try await run.client.get("\(base)/methods", tenant: tenant)
            }
            var preferences: GraphResponse?
            if chain.contains(where: { $0.url.hasSuffix("/signInPreferences") }) {
                preferences = try await limit.holding { () async throws(TenantUnavailable) -> GraphResponse in
                    try await run.client.get("\(base)/signInPreferences", tenant: tenant)
                }
            }
            guard methods.status == 200, let document = try? JSONReader.read(methods.body, path: "methods") else {
                // The user cannot be read (gone, say): nothing of it can have been made; Graph says why it fails.
                unmade.formUnion(chain.map(\.id))
                continue
            }
            let effect = RequestEffect(
                methods: document,
                preferences: preferences.flatMap {
                    $0.status == 200 ? try? JSONReader.read($0.body, path: "preferences") : nil
                })
            guard let made = effect.madePrefix(of: chain) else {
                entries += chain.map {
                    run.entry(
                        $0, status: nil, code: PushLedger.conflictCode,
                        message:
                            "sent before an interruption, and the user's methods now match neither before nor after it: someone else changed them; check the user and plan again"
                    )
                }
                continue
            }
            entries += chain.prefix(made).map {
                run.entry(
                    $0, status: nil, code: PushLedger.alreadyAppliedCode,
                    message: "found made in the tenant when checked after an interrupted send")
            }
            unmade.formUnion(chain.dropFirst(made).map(\.id))
        }
        try record(entries, requests)
        return requests.filter { unmade.contains($0.id) }
    }
}
