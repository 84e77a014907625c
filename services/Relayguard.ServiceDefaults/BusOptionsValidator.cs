using Microsoft.Extensions.Options;

namespace Relayguard.ServiceDefaults;

/// <summary>Checks the <c>Bus</c> section at start, so a bad setting stops the service with the key named.</summary>
public sealed class BusOptionsValidator : IValidateOptions<BusOptions>
{
    public ValidateOptionsResult Validate(string? name, BusOptions options)
    {
        var failures = new List<string>();
        var transport = options.Transport?.Trim().ToLowerInvariant();
        if (transport is not (BusOptions.RabbitMqTransport or BusOptions.InMemoryTransport))
        {
            failures.Add($"Bus:Transport is '{options.Transport}', but must be '{BusOptions.RabbitMqTransport}' or '{BusOptions.InMemoryTransport}'.");
        }

        if (transport == BusOptions.RabbitMqTransport)
        {
            if (string.IsNullOrWhiteSpace(options.RabbitMq))
            {
                failures.Add("Bus:RabbitMq is missing: set it to the broker's address, for example amqp://relayguard:PASSWORD@rabbitmq:5672/relayguard.");
            }
            else if (!Uri.TryCreate(options.RabbitMq, UriKind.Absolute, out var uri) || !options.RabbitMq.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase))
            {
                // The value is not repeated: it may hold the password.
                failures.Add($"Bus:RabbitMq is not a valid broker address: expected amqp://USER:PASSWORD@HOST:PORT/VHOST, got a value of {options.RabbitMq.Length} characters.");
            }
            else if (uri.Scheme is not ("amqp" or "amqps"))
            {
                failures.Add($"Bus:RabbitMq has the scheme '{uri.Scheme}': use amqp:// (or amqps:// for TLS), as in amqp://USER:PASSWORD@HOST:5672/VHOST.");
            }
        }

        if (options.PrefetchCount is < 1 or > 1000)
        {
            failures.Add($"Bus:PrefetchCount is {options.PrefetchCount}, but must be between 1 and 1000.");
        }

        if (options.RedeliveryIntervals.Any(interval => interval <= TimeSpan.Zero))
        {
            failures.Add("Bus:RedeliveryIntervals must contain positive durations only, such as 30s, 2m and 10m.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
