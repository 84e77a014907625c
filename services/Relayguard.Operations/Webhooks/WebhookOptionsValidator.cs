using Microsoft.Extensions.Options;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Webhooks;

/// <summary>Stops start-up with a message naming the key when a webhook setting is invalid.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public const int MinSecretLength = 16;

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var section = WebhookOptions.SectionName;
        var failures = new List<string>();
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            var endpoint = options.Endpoints[i];
            var key = $"{section}:Endpoints:{i}";
            if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{key}:Url must be an http or https URL such as https://tickets.example.net/relayguard, but is '{endpoint.Url}'.");
            }

            if (endpoint.Secret.Length < MinSecretLength)
            {
                failures.Add($"{key}:Secret must be at least {MinSecretLength} characters long, for example from 'openssl rand -hex 32'.");
            }

            foreach (var category in endpoint.Events.Where(category => !WebhookEvents.Categories.Contains(category)))
            {
                failures.Add($"{key}:Events contains '{category}': use {string.Join(", ", WebhookEvents.Categories)}, or leave it empty for all three.");
            }
        }

        if (options.Retries is < 0 or > 20)
        {
            failures.Add($"{section}:Retries must be from 0 to 20, but is {options.Retries}.");
        }

        CheckDuration(options.RetryDelay, "RetryDelay", "2s", failures);
        CheckDuration(options.Timeout, "Timeout", "10s", failures);
        CheckDuration(options.GiveUpAfter, "GiveUpAfter", "24h", failures);
        CheckDuration(options.PollInterval, "PollInterval", "1s", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckDuration(string value, string key, string example, List<string> failures)
    {
        if (!Durations.TryParse(value, out var duration) || duration <= TimeSpan.Zero)
        {
            failures.Add($"{WebhookOptions.SectionName}:{key} must be a positive duration such as {example}, but is '{value}'.");
        }
    }
}
