namespace Relayguard.Operations.Consumers;

public sealed class AccountWarnedConsumerDefinition() : OperationsConsumerDefinition<AccountWarnedConsumer>("operations-account-warned");
