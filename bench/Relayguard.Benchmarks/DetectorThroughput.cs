using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Relayguard.Contracts;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.Detectors.Rl1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Benchmarks;

/// <summary>
/// Events per second that one detector replica applies: its consumer of <see cref="MessageSubmitted"/> with its
/// SQLite store, fed through the in-memory bus or RabbitMQ, or (transport <c>none</c>) its rule called directly by
/// as many tasks as the consumer's concurrency limit. Every event is one the detector counts and stores.
/// </summary>
public static class DetectorThroughput
{
    public static async Task<int> RunAsync(BenchArguments args)
    {
        var detector = args.String("detector", "ca1");
        var transport = args.String("transport", "memory");
        var events = args.Int("events", 20_000);
        var warmupEvents = args.Int("warmup", 5_000);
        var prefill = args.String("prefill", "no") == "yes";
        var directory = Directory.CreateTempSubdirectory("relayguard-bench-detector-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder(HostArguments.WithoutConfigReload([]));
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
            builder.Configuration.AddInMemoryCollection([new("Rules:RL1:MessagesPerHour", "1000000"), new("Rules:RL1:RecipientsPerHour", "1000000")]);
            var database = new SqliteDatabase(Path.Combine(directory, "detector.db"));
            ProcessedEvents.EnsureSchema(database);
            builder.Services.AddSingleton(database);
            builder.Services.AddSingleton(TimeProvider.System);
            AddDetector(builder.Services, builder.Configuration, detector);
            var counter = new ConsumeCounter();
            if (transport != "none")
            {
                builder.Services.AddMassTransit(bus =>
                {
                    bus.DisableUsageTelemetry();
                    bus.SetKebabCaseEndpointNameFormatter();
                    AddConsumers(bus, detector);
                    if (transport == "rabbitmq")
                    {
                        var uri = new Uri(args.Require("rabbitmq"));
                        bus.UsingRabbitMq((context, rabbit) =>
                        {
                            rabbit.Host(uri);
                            rabbit.ConfigureEndpoints(context);
                        });
                    }
                    else
                    {
                        bus.UsingRelayguardInMemory();
                    }
                });
                builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
            }

            using var host = builder.Build();
            await host.StartAsync();
            if (transport != "none")
            {
                host.Services.GetRequiredService<IBus>().ConnectConsumeMessageObserver(counter);
            }

            // The warm-up runs the same code first, so the timed run measures compiled code, as in a service that has
            // been up for a while, and not the JIT compiler. Tiered compilation recompiles hot methods in the
            // background for seconds after they first run, so the warm-up goes on in rounds until one round
            // compiles almost nothing.
            var roundSize = warmupEvents;
            warmupEvents = await JitWarmUp.RunAsync(roundSize, maxRounds: 30, "events", async fed =>
            {
                var round = Enumerable.Range(events + fed, roundSize).Select(i => BenchEvents.For(detector, i)).ToList();
                await FeedAsync(host.Services, detector, transport, counter, round, fed + roundSize);
            });
            var batch = Enumerable.Range(0, events).Select(i => BenchEvents.For(detector, i)).ToList();
            var compiledAtStart = System.Runtime.JitInfo.GetCompiledMethodCount();
            Stopwatch watch;
            TimeSpan cpuBefore;
            long allocatedBefore;
            int collectionsBefore;
            if (prefill && transport != "none")
            {
                // The consumer waits until every event is queued, so the timed part is the consumer alone, as in a
                // detector whose gateway publishes from another process.
                counter.Hold();
                await PublishAsync(host.Services.GetRequiredService<IBus>(), batch);
                (cpuBefore, allocatedBefore, collectionsBefore, watch) = StartMeasuring();
                counter.Release();
                await counter.WaitForAsync(warmupEvents + events, TimeSpan.FromMinutes(5));
            }
            else
            {
                (cpuBefore, allocatedBefore, collectionsBefore, watch) = StartMeasuring();
                await FeedAsync(host.Services, detector, transport, counter, batch, warmupEvents + events);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            Console.Error.WriteLine($"timed run: {System.Runtime.JitInfo.GetCompiledMethodCount() - compiledAtStart} methods compiled");
            var cpuPerEvent = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / events;
            var allocatedPerEvent = (GC.GetTotalAllocatedBytes() - allocatedBefore) / events;
            var collections = GC.CollectionCount(0) - collectionsBefore;
            using var connection = database.Open();
            var stored = (long)(SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM processed_events;") ?? 0L);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"detector={detector} transport={transport} prefill={(prefill ? "yes" : "no")} warmup={warmupEvents} events={events} stored={stored} faults={counter.Faults} seconds={seconds:0.000} cpu-per-event={cpuPerEvent:0}us allocated-per-event={allocatedPerEvent}B gen0-collections={collections} rate={events / seconds:0}"));
            await host.StopAsync();
            database.Dispose();
            return stored == warmupEvents + events && counter.Faults == 0 ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void AddDetector(IServiceCollection services, IConfiguration configuration, string detector)
    {
        _ = detector switch
        {
            "ca1" => services.AddCa1Detector(configuration),
            "ca2" => services.AddCa2Detector(configuration),
            "bo1" => services.AddBo1Detector(configuration),
            "rl1" => services.AddRl1Detector(configuration),
            _ => throw new ArgumentException($"Unknown detector '{detector}': use ca1, ca2, bo1 or rl1."),
        };
    }

    private static void AddConsumers(IBusRegistrationConfigurator bus, string detector)
    {
        _ = detector switch
        {
            "ca1" => bus.AddCa1Consumers(),
            "ca2" => bus.AddCa2Consumers(),
            "bo1" => bus.AddBo1Consumers(),
            _ => bus.AddRl1Consumers(),
        };
    }

    private static (TimeSpan Cpu, long Allocated, int Collections, Stopwatch Watch) StartMeasuring() =>
        (Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), Stopwatch.StartNew());

    /// <summary>Feeds the events to the rule or the bus and returns once the consumer has handled <paramref name="consumedTotal"/> events in all.</summary>
    private static async Task FeedAsync(IServiceProvider services, string detector, string transport, ConsumeCounter counter, List<MessageSubmitted> events, int consumedTotal)
    {
        if (transport == "none")
        {
            await CallRuleAsync(services, detector, events);
            return;
        }

        await PublishAsync(services.GetRequiredService<IBus>(), events);
        await counter.WaitForAsync(consumedTotal, TimeSpan.FromMinutes(5));
    }

    /// <summary>Publishes with up to 64 publishes in flight, so the publisher keeps ahead of the consumer.</summary>
    private static async Task PublishAsync(IBus bus, List<MessageSubmitted> events)
    {
        using var inFlight = new SemaphoreSlim(64);
        var publishes = events.Select(async message =>
        {
            await inFlight.WaitAsync();
            try
            {
                await bus.Publish(message, context => context.MessageId = message.EventId);
            }
            finally
            {
                inFlight.Release();
            }
        });
        await Task.WhenAll(publishes);
    }

    private static async Task CallRuleAsync(IServiceProvider services, string detector, List<MessageSubmitted> events)
    {
        Func<MessageSubmitted, Task> record = detector switch
        {
            "ca1" => message => services.GetRequiredService<Ca1Rule>().RecordSubmissionAsync(message, CancellationToken.None),
            "ca2" => message => services.GetRequiredService<Ca2Rule>().RecordSubmissionAsync(message, CancellationToken.None),
            "bo1" => message => services.GetRequiredService<Bo1Rule>().RecordSubmissionAsync(message, CancellationToken.None),
            _ => message => services.GetRequiredService<Rl1Rule>().RecordSubmissionAsync(message, CancellationToken.None),
        };
        var next = -1;
        var workers = Enumerable.Range(0, Ca1Registration.ConcurrentMessageLimit).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < events.Count)
            {
                await record(events[i]);
            }
        }));
        await Task.WhenAll(workers);
    }

    /// <summary>Counts handled events. <see cref="WaitForAsync"/> returns once a total is reached.</summary>
    private sealed class ConsumeCounter : IConsumeMessageObserver<MessageSubmitted>
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _consumed;
        private int _target = int.MaxValue;
        private int _faults;

        public int Faults => Volatile.Read(ref _faults);

        private TaskCompletionSource? _hold;

        /// <summary>Makes every consume wait before it starts until <see cref="Release"/>.</summary>
        public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _hold?.TrySetResult();

        public Task PreConsume(ConsumeContext<MessageSubmitted> context) => _hold?.Task ?? Task.CompletedTask;

        public Task PostConsume(ConsumeContext<MessageSubmitted> context)
        {
            lock (_lock)
            {
                if (++_consumed >= _target)
                {
                    _done.TrySetResult();
                }
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault(ConsumeContext<MessageSubmitted> context, Exception exception)
        {
            Interlocked.Increment(ref _faults);
            return PostConsume(context);
        }

        public Task WaitForAsync(int count, TimeSpan timeout)
        {
            lock (_lock)
            {
                _target = count;
                _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_consumed >= count)
                {
                    _done.TrySetResult();
                }

                return _done.Task.WaitAsync(timeout);
            }
        }
    }
}
