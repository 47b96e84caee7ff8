package impact

import (
	"os"
	"testing"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

func TestMain(m *testing.M) { os.Exit(redistest.Run(m)) }
