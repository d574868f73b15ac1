// Hardware module
