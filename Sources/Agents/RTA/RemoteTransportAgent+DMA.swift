import Hardware

/// The DMA manager: buffer segments, scatter-gather lists, and the data's moves across the bus.
extension RemoteTransportAgent {
    /// Gives a waiting read or write its buffers if enough are free; false otherwise.
    func grantBuffers(_ transaction: UInt64) -> Bool {
        guard var entry = transactions[transaction], var pool else { return false }
        guard let segments = pool.acquire(pool.segmentsNeeded(for: entry.length)) else { return false }
        self.pool = pool
        statistics.buffersInUse = pool.inUse
        statistics.peakBuffersInUse = max(statistics.peakBuffersInUse, pool.inUse)
        entry.segments = segments
        entry.poolGeneration = pool.generation
        transactions[transaction] = entry
        switch entry.request.operation {
        case .read:
            execute(transaction)
        case .write:
            transactions[transaction]?.phase = .awaitingData
            send(.buffersReady(transaction: transaction, scatterGatherList(of: entry)))
        case .flush:
            preconditionFailure("a flush holds no buffers")
        }
        return true
    }

    /// Serves the waiting requests in arrival order while buffers last.
    func serveBufferQueue() {
        guard !servingBuffersSuspended else { return }
        while bufferQueueHead < bufferQueue.count {
            let transaction = bufferQueue[bufferQueueHead]
            if let entry = transactions[transaction], entry.phase == .waitingForBuffers {
                guard grantBuffers(transaction) else { break }
            }
            bufferQueueHead += 1
        }
        if bufferQueueHead == bufferQueue.count {
            bufferQueue.removeAll(keepingCapacity: true)
            bufferQueueHead = 0
        } else if bufferQueueHead > 256 && bufferQueueHead * 2 > bufferQueue.count {
            bufferQueue.removeFirst(bufferQueueHead)
            bufferQueueHead = 0
        }
    }

    func releaseBuffers(of entry: RTATransaction) {
        guard !entry.segments.isEmpty, var pool, entry.poolGeneration == pool.generation else { return }
        pool.release(entry.segments)
        self.pool = pool
        statistics.buffersInUse = pool.inUse
    }

    /// The request's buffers as bus spans, the last cut to the request's length.
    func scatterGatherList(of entry: RTATransaction) -> [BusSegment] {
        guard let pool else { return [] }
        var left = entry.length
        return entry.segments.map { index in
            var segment = pool.segment(index)
            segment.length = UInt32(min(Int(segment.length), left))
            left -= Int(segment.length)
            return segment
        }
    }

    /// Moves a request's data: a read's into the host's buffers (DMA writes), a write's out of
    /// them (DMA reads), in transfers of at most the channel's maximum.
    func startDMA(_ transaction: UInt64) {
        guard var entry = transactions[transaction] else { preconditionFailure("DMA for an unknown transaction") }
        let maxTransfer = channel.maxTransferSize
        precondition(maxTransfer > 0, "a bus channel without DMA")
        var chunks: [RTADMAChunk] = []
        var offset = 0
        for segment in scatterGatherList(of: entry) {
            var done = 0
            while done < Int(segment.length) {
                let length = min(maxTransfer, Int(segment.length) - done)
                chunks.append(RTADMAChunk(address: segment.address + done, offset: offset + done, length: length))
                done += length
            }
            offset += Int(segment.length)
        }
        assert(offset == entry.length, "scatter-gather list does not cover the request")
        entry.chunks = chunks
        entry.chunksToIssue = Array(chunks.indices)
        if entry.request.operation == .read {
            entry.phase = .writingHost
        } else {
            entry.phase = .readingHost
            // One transfer brings the whole request: its bytes become the data as they come.
            entry.data = chunks.count == 1 ? [] : Array(repeating: 0, count: entry.length)
        }
        transactions[transaction] = entry
        issueDMA(transaction)
    }

    /// Issues the request's pending transfers until the channel refuses; then waits for a
    /// completion or the retry timer.
    func issueDMA(_ transaction: UInt64) {
        while let entry = transactions[transaction], let chunkIndex = entry.chunksToIssue.first {
            let chunk = entry.chunks[chunkIndex]
            let tag = makeTag()
            do {
                if entry.request.operation == .read {
                    // A transfer of the whole request sends the data itself, not a copy of it.
                    let bytes =
                        chunk.offset == 0 && chunk.length == entry.data.count
                        ? entry.data : Array(entry.data[chunk.offset..<(chunk.offset + chunk.length)])
                    try channel.dmaWrite(bytes, to: chunk.address, tag: tag, handler: self)
                } else {
                    try channel.dmaRead(count: chunk.length, from: chunk.address, tag: tag, handler: self)
                }
            } catch .queueFull {
                if !dmaBlocked.contains(transaction) { dmaBlocked.append(transaction) }
                if dmaRetryTimer == nil {
                    dmaRetryTimer = runtime.scheduleTimer(after: configuration.busyRetryDelay, handler: self, token: 0)
                }
                return
            } catch {
                // Closed, or a length the channel refuses: the data cannot move.
                statistics.transferFailures += 1
                finish(transaction, .transferFailed)
                return
            }
            dmaOperations[tag] = (transaction, chunkIndex)
            transactions[transaction]?.chunks[chunkIndex].attempts += 1
            transactions[transaction]?.chunksToIssue.removeFirst()
            transactions[transaction]?.dmaOutstanding += 1
        }
    }

    func dmaCompleted(_ completion: BusCompletion) {
        guard let (transaction, chunkIndex) = dmaOperations.removeValue(forKey: completion.tag),
            var entry = transactions[transaction]
        else {
            assertionFailure("a DMA completion for nothing")
            return
        }
        entry.dmaOutstanding -= 1
        if case .draining(let status, let notify) = entry.phase {
            transactions[transaction] = entry
            if entry.dmaOutstanding == 0 { finish(transaction, status, ending: notify ? .notify : .abort) }
            return
        }
        let chunk = entry.chunks[chunkIndex]
        let moved = completion.status == .ok && (entry.request.operation == .read || completion.data.count == chunk.length)
        if moved {
            if entry.request.operation == .write {
                if entry.chunks.count == 1 {
                    entry.data = completion.data
                } else {
                    entry.data.replaceSubrange(chunk.offset..<(chunk.offset + chunk.length), with: completion.data)
                }
            }
            entry.chunks[chunkIndex].done = true
        } else if chunk.attempts < configuration.maxDMAAttempts {
            statistics.dmaRetries += 1
            entry.chunksToIssue.append(chunkIndex)
        } else {
            statistics.transferFailures += 1
            transactions[transaction] = entry
            finish(transaction, .transferFailed)
            return
        }
        transactions[transaction] = entry
        if entry.dmaOutstanding == 0 && entry.chunksToIssue.isEmpty {
            assert(entry.allChunksDone, "DMA idle with transfers not done")
            entry.chunks = []
            transactions[transaction] = entry
            if entry.request.operation == .read {
                transactions[transaction]?.phase = .awaitingTransferDone
                transactions[transaction]?.data = []
                send(.dataReady(transaction: transaction, scatterGatherList(of: entry), times(of: entry)))
            } else {
                execute(transaction)
            }
        } else {
            issueDMA(transaction)
        }
    }

    /// Issues the DMA the channel refused earlier, oldest first.
    func retryBlockedDMA() {
        let blocked = dmaBlocked
        dmaBlocked.removeAll()
        for transaction in blocked {
            issueDMA(transaction)
        }
    }
}

extension RemoteTransportAgent: BusCompletionHandler {
    public func busOperationCompleted(_ completion: BusCompletion) {
        dmaCompleted(completion)
        if !dmaBlocked.isEmpty { retryBlockedDMA() }
    }
}

extension RemoteTransportAgent: TimerHandler {
    public func timerFired(_ token: UInt64) {
        dmaRetryTimer = nil
        retryBlockedDMA()
    }
}
