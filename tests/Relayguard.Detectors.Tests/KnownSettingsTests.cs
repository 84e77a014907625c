using Microsoft.Extensions.Configuration;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

public sealed class KnownSettingsTests
{
    private static readonly KnownSetting[] Known =
    [
        new("Smtp", typeof(SampleOptions)),
        new("Rules:CA1", typeof(SampleRule)),
        new("Data:Directory", null),
        new("Rules:CA2:SharedRanges", typeof(string[])),
        new("Store:Sqlite", null),
        new("Telemetry:Traces", null),
    ];

    [Theory]
    [InlineData("Smtp:Listen")]
    [InlineData("smtp:listen")]
    [InlineData("Smtp:Trusted:0")]
    [InlineData("Smtp:Trusted:office")]
    [InlineData("Smtp:Accounts:alice@example.test:MessagesPerHour")]
    [InlineData("Smtp:Upstream:Host")]
    [InlineData("Rules:CA1:MinInvalidRecipients")]
    [InlineData("Rules:CA2:SharedRanges:1")]
    [InlineData("Data:Directory")]
    [InlineData("Logging:LogLevel:Default")]
    [InlineData("Kestrel:Limits:MaxRequestBodySize")]
    [InlineData("PATH")]
    [InlineData("Rules:BO1:Threshold")]
    [InlineData("Rules:CA2:SharedRange:0")]
    [InlineData("Store:Kind")]
    [InlineData("TZ")]
    [InlineData("Serilog:MinimumLevel")]
    [InlineData("Roles:Admin")]
    [InlineData("Smtps:Port")]
    [InlineData("Limits:MessageSize")]
    public void FindUnknown_ReadSetting_NotReported(string key)
    {
        Assert.Empty(Find(key));
    }

    [Theory]
    [InlineData("Smtp:Lisen", "Unknown setting Smtp:Lisen is ignored; did you mean Smtp:Listen?")]
    [InlineData("Rules:CA1:MinInvalidRecipient", "Unknown setting Rules:CA1:MinInvalidRecipient is ignored; did you mean Rules:CA1:MinInvalidRecipients?")]
    [InlineData("Smtp:Upstream:Hots", "Unknown setting Smtp:Upstream:Hots is ignored; did you mean Smtp:Upstream:Host?")]
    [InlineData("Smtp:Listen:0", "Unknown setting Smtp:Listen:0 is ignored; did you mean Smtp:Listen?")]
    [InlineData("Smtp:Trusted", "Setting Smtp:Trusted is a list, so its single value is ignored; give one value per item: Smtp:Trusted:0=..., Smtp:Trusted:1=....")]
    [InlineData("Smtp:Upstream", "Setting Smtp:Upstream has settings inside it, so its single value is ignored; give Smtp:Upstream:NAME=... instead.")]
    [InlineData("Rules:CA2:SharedRanges", "Setting Rules:CA2:SharedRanges is a list, so its single value is ignored; give one value per item: Rules:CA2:SharedRanges:0=..., Rules:CA2:SharedRanges:1=....")]
    [InlineData("Data:Directory:0", "Unknown setting Data:Directory:0 is ignored; did you mean Data:Directory?")]
    [InlineData("Telemetry:Trace", "Unknown setting Telemetry:Trace is ignored; did you mean Telemetry:Traces?")]
    [InlineData("Rules:CA3:Threshold", "Unknown setting Rules:CA3:Threshold is ignored; did you mean Rules:CA1?")]
    [InlineData("Store:Sqlite:Path", "Unknown setting Store:Sqlite:Path is ignored; did you mean Store:Sqlite?")]
    [InlineData("Smpt:Listen", "Unknown setting Smpt:Listen is ignored; did you mean Smtp:Listen?")]
    [InlineData("Rulez:CA1:MessagesPerHour", "Unknown setting Rulez:CA1:MessagesPerHour is ignored; did you mean Rules:CA1:MessagesPerHour?")]
    [InlineData("Limit:MessageSize", "Unknown setting Limit:MessageSize is ignored; did you mean Limits:MessageSize?")]
    [InlineData("Webhook:0:Url", "Unknown setting Webhook:0:Url is ignored; did you mean Webhooks:0:Url?")]
    public void FindUnknown_Typo_Reported(string key, string expected)
    {
        Assert.Equal([expected], Find(key));
    }

    private static IReadOnlyList<string> Find(string key)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, "value")]).Build();
        return KnownSettings.FindUnknown(configuration, Known);
    }

    private sealed class SampleOptions
    {
        public string Listen { get; set; } = string.Empty;

        public List<string> Trusted { get; set; } = [];

        public Dictionary<string, SampleRule> Accounts { get; set; } = [];

        public SampleUpstream Upstream { get; set; } = new();
    }

    private sealed class SampleUpstream
    {
        public string Host { get; set; } = string.Empty;
    }

    private sealed class SampleRule
    {
        public int MessagesPerHour { get; set; }

        public int MinInvalidRecipients { get; set; }
    }
}
