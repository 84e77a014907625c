using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Declares <see cref="RelayguardTopology.Endpoints"/> on the broker when the service starts, before the bus does.
/// The shapes match what MassTransit 8.5 declares itself (durable fanout exchanges, exchange-to-exchange bindings,
/// durable queues without arguments), so the two declarations never conflict. While the broker is unreachable it
/// keeps trying in the background and start-up goes on, so a gateway can accept mail meanwhile.
/// </summary>
/// <param name="lifetime">
/// Stopped when the broker refuses the login: MassTransit 8.5 did not retry its receive endpoints after that in a trial
/// here, so a gateway would keep accepting mail without ever receiving a block. The supervisor (systemd, Kubernetes)
/// restarts the service, which then works once the account is fixed.
/// </param>
public sealed partial class RabbitMqTopologyService(IOptions<BusOptions> options, ILogger<RabbitMqTopologyService> logger, IHostApplicationLifetime? lifetime = null) : IHostedService, IDisposable
{
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _declared = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

    /// <summary>
    /// Whether a refused login leaves the service running (the gateway, which serves from its cached blocks while the
    /// bus is out of reach), instead of stopping it. Such a service retries, and once the broker accepts the login it
    /// stops so that its supervisor starts it afresh with working receive endpoints.
    /// </summary>
    public bool KeepServingOnRefusedLogin { get; init; }

    /// <summary>Completes once the topology is declared.</summary>
    public Task Declared => _declared.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = DeclareUntilDoneAsync(_stopping.Token);
        await Task.WhenAny(_loop, Task.Delay(StartWait, cancellationToken));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await Task.WhenAny(_loop, Task.Delay(Timeout.Infinite, cancellationToken));
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// Declares the exchanges, queues and bindings on one channel, and a delay queue per redelivery interval; every
    /// declaration is idempotent.
    /// </summary>
    public static async Task DeclareAsync(Uri broker, IReadOnlyList<TimeSpan> redeliveryIntervals, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "relayguard-topology" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        foreach (var endpoint in RelayguardTopology.Endpoints)
        {
            await channel.ExchangeDeclareAsync(endpoint.Queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(endpoint.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(endpoint.Queue, endpoint.Queue, string.Empty, cancellationToken: cancellationToken);
            foreach (var messageType in endpoint.MessageTypes)
            {
                var exchange = RelayguardTopology.ExchangeName(messageType);
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
                await channel.ExchangeBindAsync(endpoint.Queue, exchange, string.Empty, cancellationToken: cancellationToken);
            }
        }

        foreach (var interval in redeliveryIntervals)
        {
            // Expired messages go to the default exchange with their routing key, the name of the queue they came from.
            var name = DelayedRedelivery.DelayQueueName(interval);
            var arguments = new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (long)interval.TotalMilliseconds,
                ["x-dead-letter-exchange"] = string.Empty,
            };
            await channel.ExchangeDeclareAsync(name, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(name, name, string.Empty, cancellationToken: cancellationToken);
        }
    }

    private async Task DeclareUntilDoneAsync(CancellationToken cancellationToken)
    {
        var broker = new Uri(options.Value.RabbitMq!);
        var user = broker.UserInfo.Split(':')[0];
        var backoff = TimeSpan.FromSeconds(1);
        var refused = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await DeclareAsync(broker, options.Value.EffectiveRedeliveryIntervals, cancellationToken);
                LogDeclared(logger, RelayguardTopology.Endpoints.Count, broker.Host, broker.Port);
                _declared.TrySetResult();
                if (refused)
                {
                    LogLoginAccepted(logger, broker.Host, broker.Port, user);
                    StartupFailure.StopFor(LoginAcceptedLate, exitCode: 1);
                    lifetime?.StopApplication();
                }

                return;
            }
            catch (Exception exception) when (IsLoginRefused(exception) && !KeepServingOnRefusedLogin)
            {
                LogLoginRefused(logger, broker.Host, broker.Port, user);
                StartupFailure.StopFor(LoginRefused);
                lifetime?.StopApplication();
                return;
            }
            catch (Exception exception) when (IsLoginRefused(exception))
            {
                LogLoginRefusedServing(logger, broker.Host, broker.Port, user, Durations.Format(backoff));
                refused = true;
            }
            catch (Exception exception) when (exception is BrokerUnreachableException or OperationInterruptedException or IOException or AlreadyClosedException)
            {
                LogDeclareFailed(logger, exception, broker.Host, broker.Port, Durations.Format(backoff));
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Any other failure, a client timeout for one, is retried too: until the topology is declared the
                // gateway's outbox publishes nothing.
                LogDeclareFailed(logger, exception, broker.Host, broker.Port, Durations.Format(backoff));
            }

            try
            {
                await Task.Delay(backoff, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Declared the queues of {Count} receive endpoints on the broker at {Host}:{Port}.")]
    private static partial void LogDeclared(ILogger logger, int count, string host, int port);

    /// <summary>The line a service prints on standard error when the broker refuses its login.</summary>
    public const string LoginRefused = "Invalid Bus:RabbitMq: the broker refused the login (ACCESS_REFUSED). Check the user name and password in the URI, and that the user may use its virtual host.";

    /// <summary>The line a gateway prints when it stops because the broker accepted a login it had refused.</summary>
    public const string LoginAcceptedLate = "Stopped to start afresh: the broker now accepts the login of Bus:RabbitMq, which it refused at start, and receive endpoints stopped by a refused login do not start again by themselves. Start the gateway again (its supervisor does).";

    private static bool IsLoginRefused(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is AuthenticationFailureException)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 9103, Level = LogLevel.Critical, Message = "The broker at {Host}:{Port} refused the login of user '{User}' (ACCESS_REFUSED): check the user name and password in Bus:RabbitMq. Stopping, so that the service is restarted once the account is fixed.")]
    private static partial void LogLoginRefused(ILogger logger, string host, int port, string user);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Error, Message = "The broker at {Host}:{Port} refused the login of user '{User}' (ACCESS_REFUSED): check the user name and password in Bus:RabbitMq. The gateway keeps serving with its cached blocks and tries again in {Backoff}; it stops to be started afresh once the login works.")]
    private static partial void LogLoginRefusedServing(ILogger logger, string host, int port, string user, string backoff);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Warning, Message = "The broker at {Host}:{Port} now accepts the login of user '{User}'. Stopping, so that the supervisor starts the gateway afresh with working receive endpoints.")]
    private static partial void LogLoginAccepted(ILogger logger, string host, int port, string user);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Declaring the topology on the broker at {Host}:{Port} failed; retrying in {Backoff}.")]
    private static partial void LogDeclareFailed(ILogger logger, Exception exception, string host, int port, string backoff);
}
