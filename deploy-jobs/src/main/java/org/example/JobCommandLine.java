package org.example;

import org.example.JobSettings.Option;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.EnumMap;
import java.util.Map;

/**
 * The job's command line, read with picocli: one option per {@link Option}, each value from its
 * flag, else its environment variable, else its default, and {@code -h}/{@code --help}. picocli
 * is on the class path wherever {@code Main} runs: in hz-cli (its own command line is picocli) and
 * in the {@code lib/} of Hazelcast's full distribution, for members that run a job's main (a job
 * uploaded through Management Center). Only this class refers to it, and members never load it
 * to run the job.
 */
public final class JobCommandLine {

    static final String NAME = "hz-cli submit fraud-detection-job.jar";
    static final String DESCRIPTION = "Submits the fraud-detection job to the cluster hz-cli connects to.";

    private final CommandLine commandLine;
    private final Map<Option, String> values;

    private JobCommandLine(CommandLine commandLine, Map<Option, String> values) {
        this.commandLine = commandLine;
        this.values = values;
    }

    /** @throws IllegalArgumentException for an unknown option or one without its value, with the usage */
    public static JobCommandLine parse(String[] args, Map<String, String> env) {
        CommandSpec spec = CommandSpec.create().name(NAME);
        spec.usageMessage().description(DESCRIPTION).footer("", "Each option can also be set through its environment variable.");
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Print this text; submit nothing.").build());
        for (Option option : Option.values()) {
            spec.addOption(OptionSpec.builder("--" + option.flagName()).paramLabel("<value>").type(String.class)
                    .description(option.description() + " (" + option.envVar()
                            + (option.defaultValue().isEmpty() ? "" : "; default " + option.defaultValue()) + ")")
                    .build());
        }
        spec.defaultValueProvider(arg -> arg instanceof OptionSpec o && !o.usageHelp()
                ? fromEnvironment(Option.valueOf(o.longestName().substring(2).replace('-', '_').toUpperCase()), env)
                : null);
        CommandLine commandLine = new CommandLine(spec);
        try {
            commandLine.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + "\n" + commandLine.getUsageMessage(), e);
        }
        Map<Option, String> values = new EnumMap<>(Option.class);
        for (Option option : Option.values()) {
            String value = spec.findOption("--" + option.flagName()).getValue();
            values.put(option, value == null ? "" : value.trim());
        }
        return new JobCommandLine(commandLine, values);
    }

    private static String fromEnvironment(Option option, Map<String, String> env) {
        String value = env.get(option.envVar());
        return value != null && !value.isBlank() ? value.trim() : option.defaultValue();
    }

    public boolean helpRequested() {
        return commandLine.isUsageHelpRequested();
    }

    public String usage() {
        return commandLine.getUsageMessage();
    }

    /** @throws IllegalArgumentException for a value its option does not take, naming the option */
    public JobSettings settings() {
        return JobSettings.of(values);
    }
}
