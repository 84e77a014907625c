using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Relayguard.Gateway.Session;

namespace Relayguard.Gateway.Tests.Session;

/// <summary>The records of a relayed message: failed writes are retried, and tried once more when the gateway stops.</summary>
public sealed class RelayRecordWriterTests
{
    [Fact]
    public async Task FailedWrite_GatewayStopping_TriedOnceMore()
    {
        // A message relayed while the gateway drains its sessions: its write fails once, and the retry must not give
        // up without trying, since the database is still open.
        using var lifetime = new StoppingLifetime();
        await lifetime.StopAsync();
        var writer = new RelayRecordWriter(TimeProvider.System, NullLogger<RelayRecordWriter>.Instance, lifetime);
        var attempts = 0;
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await writer.WriteAsync("gw-1", [new RelayRecord("the submission event", () =>
        {
            if (Interlocked.Increment(ref attempts) == 1)
            {
                return Task.FromException(new IOException("disk full"));
            }

            written.TrySetResult();
            return Task.CompletedTask;
        })]);

        await written.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task AllWritesSucceed_EachOnce()
    {
        var writer = new RelayRecordWriter(TimeProvider.System, NullLogger<RelayRecordWriter>.Instance);
        var calls = new List<string>();

        await writer.WriteAsync("gw-2", [
            new RelayRecord("the message index entry", () => { calls.Add("index"); return Task.CompletedTask; }),
            new RelayRecord("the submission event", () => { calls.Add("submitted"); return Task.CompletedTask; }),
        ]);

        Assert.Equal(["index", "submitted"], calls);
    }

    private sealed class StoppingLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public Task StopAsync() => _stopping.CancelAsync();

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
