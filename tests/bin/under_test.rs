fn main() -> std::process::ExitCode {
    meshcloud::cli::main()
}
